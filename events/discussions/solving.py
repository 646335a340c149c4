"""Run the group forming in a short-lived child process.

The solver's model and PuLP itself cost a process about 15 MB that Python
never gives back; a web worker must stay small, so the forming runs in a
child that exits when it is done. The child imports ``events.grouping``
(and PuLP, inside the call); the parent never does.

    python -m events.discussions.solving   # reads the call on stdin, answers on stdout

Call and answer are pickled: both ends are this code base, nothing else
writes to the pipe.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
from typing import Any

# The solver's own limit is 20 s; the child's start and PuLP's import come on top.
CHILD_TIMEOUT_SECONDS = 60.0


def form_in_child(*args: Any, **kwargs: Any) -> Any:
    """``events.grouping.form_groups(*args, **kwargs)``, computed in a child process.

    Refusals the forming raises (``InvalidInput``) are raised here as they were there.
    """
    done = subprocess.run([sys.executable, "-m", "events.discussions.solving"],
                          input=pickle.dumps((args, kwargs)), capture_output=True,
                          timeout=CHILD_TIMEOUT_SECONDS, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"group forming failed: {done.stderr.decode(errors='replace')[-2000:]}")
    outcome, error = pickle.loads(done.stdout)
    if error is not None:
        raise error
    return outcome


def _answer() -> None:
    from events.errors import DomainError
    from events.grouping import form_groups

    args, kwargs = pickle.loads(sys.stdin.buffer.read())
    try:
        answer: tuple[Any, Exception | None] = (form_groups(*args, **kwargs), None)
    except DomainError as error:
        answer = (None, error)
    sys.stdout.buffer.write(pickle.dumps(answer))


if __name__ == "__main__":
    _answer()
