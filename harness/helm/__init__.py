"""HELM-lite: HELM's seven families layered over ordinary tasks.

Accuracy is the task's own metric. Calibration (``harness.metrics.calibration``), robustness
and fairness (perturbed copies of each item, ``perturbations`` in a task file, scored as the
worst case per instance), bias (demographic representation in generations), toxicity (the
toxicity classifier's metrics) and efficiency (measured around the backend call when a task
sets ``efficiency: true``) are added here. ``suites/helm.yaml`` runs them all.

Kept free of heavy imports: ``harness.tasks.config`` imports the perturbation config.
"""
