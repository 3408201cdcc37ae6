"""Hostile: disarms alarms and termination signals, then loops in every call."""
import signal
import time

for sig in (signal.SIGALRM, signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGUSR1):
    try:
        signal.signal(sig, signal.SIG_IGN)
    except Exception:  # noqa: BLE001
        pass


def scaled_dot_product_attention(q, k, v, mask=None):
    signal.alarm(0)
    signal.setitimer(signal.ITIMER_REAL, 0)
    while True:
        time.sleep(0.01)
