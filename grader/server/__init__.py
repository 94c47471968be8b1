"""`grader serve`: the submission server (pages, API, queue, workers, course policy)."""
