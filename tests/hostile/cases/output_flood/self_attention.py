"""Hostile: prints about 200 MB."""
import sys

chunk = "x" * (1024 * 1024)
for _ in range(200):
    try:
        sys.stdout.write(chunk)
    except Exception:  # noqa: BLE001
        break


def softmax(x, dim=-1):
    print(chunk * 10)
    raise NotImplementedError
