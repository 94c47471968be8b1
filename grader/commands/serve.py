"""`grader serve`: the submission server (grader.server) on uvicorn."""

from __future__ import annotations

import logging
from pathlib import Path

from grader.errors import GraderError
from grader.gradebook import DEFAULT_NAME
from grader.sandbox.probing import sandbox_available


def main(*, course: Path, host: str, port: int, db: Path | None, jobs: int | None = None,
         max_upload: int = 4 << 20, require_sandbox: bool = True) -> None:
    """Serve until interrupted. Start-up loads and self-tests every assignment first."""
    if require_sandbox and not sandbox_available():
        raise GraderError("refusing to serve without the sandbox: bubblewrap is not installed "
                          "(apt-get install bubblewrap)")
    import uvicorn

    from grader.commands.grade import default_jobs
    from grader.server.app import Server, ServerConfig, create_app

    config = ServerConfig(db=(db or Path(DEFAULT_NAME)).resolve(), course=course.resolve(),
                          jobs=jobs or default_jobs(), max_upload=max_upload,
                          require_sandbox=require_sandbox)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    server = Server(config)  # the course loaded and self-tested before anything listens
    # One process: the workers are threads of it, and the queue's leases name it.
    uvicorn.run(create_app(server), host=host, port=port, log_level="warning",
                access_log=False, proxy_headers=True, timeout_keep_alive=5,
                limit_concurrency=1000)
