"""What alignment training did to a variant: the reward-hacking watch over RL variants."""

from harness.alignment.watch import WatchLimits, WatchReport, format_watch, watch_variant

__all__ = ["WatchLimits", "WatchReport", "format_watch", "watch_variant"]
