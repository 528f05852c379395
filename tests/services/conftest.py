from tests.workflows.conftest import env, worker  # noqa: F401  (the time-skipping server and a worker with fake activities)
