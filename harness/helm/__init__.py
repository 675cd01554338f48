"""HELM-lite: HELM's seven families read side by side from a run's stored scores.

The families are produced lower down, over ordinary tasks: accuracy is the task's own metric;
calibration (``harness.metrics.calibration``), robustness and fairness (the worst case per
instance over perturbed copies: ``perturbations`` in a task file, built by
``harness.tasks.perturbed``, scored by ``harness.metrics.worst_case``), bias
(``harness.metrics.representation``), toxicity (the toxicity classifier's metrics) and
efficiency (measured by the runner around the backend call when a task sets
``efficiency: true``, ``harness.runner.efficiency``). ``suites/helm.yaml`` runs them all;
this package only reads the results (``report``).
"""
