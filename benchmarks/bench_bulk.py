"""Benchmark: certificates for a 1,000-learner cohort, end to end, as a job.

End to end means what an administrator's click starts: list the eligible enrolments, then for
each one check the course's rule, build and sign the snapshot, build and sign its Open Badges 3.0
credential (eddsa-rdfc-2022, certificates/credentials), render the PDF with both attachments,
store it and its rows, and record the item. The credentials are counted after each run: one per
certificate, or the figure is refused. The course is the bundled *Résoudre les problèmes publics* pack.

Two runs:

- embedded: the default (no broker), a thread of this process, on SQLite;
- celery2: two ``lms worker --concurrency=1`` started here, on PostgreSQL + Redis (a schema and
  a queue of their own, removed afterwards); each worker's resident memory is measured with
  psutil after the run.

It also streams the embedded cohort's 1,000 certificates as one ZIP and reports the peak of
Python memory allocated meanwhile (flat: one PDF at a time).

    .venv/bin/python benchmarks/bench_bulk.py [--learners 1000] [--workers 2] [--pool prefork|solo]
        [--postgres postgresql://postgres@127.0.0.1:5432/test] [--redis redis://127.0.0.1:6379/0]

The last line is ``RESULT embedded_per_s=... celery2_per_s=... worker_rss_mb=... worker_pss_mb=...
zip_peak_mb=...``. ``worker_rss_mb`` sums the RSS of a worker's processes (with the default prefork
pool, the main process and its pool process, which share pages: those count twice);
``worker_pss_mb`` counts shared pages once. Targets on a 2-core machine: embedded >= 12/s,
celery2 >= 40/s (with credentials), each worker < 250 MB. The machine's load average is printed at the start and
the end: other work on the same cores slows every figure down.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

import psutil
from sqlalchemy import create_engine, func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from curriculum.db import db  # noqa: E402
from lms import create_app  # noqa: E402
from lms.app import database_url  # noqa: E402
from lms.models import import_all_models  # noqa: E402
from tests.bulk import fill_completed  # noqa: E402

PACK = "solving-public-problems"


def build_cohort(learners: int) -> int:
    """The bundled course, a cohort, and ``learners`` who completed it with full marks."""
    from curriculum.importer import import_pack
    from curriculum.models import Course, Lesson
    from lms.cohorts.models import Cohort
    from lms.learning.operations import new_join_code

    import_pack(Path(__file__).resolve().parent.parent / "curriculum" / "packs" / PACK)
    db.session.commit()
    course = db.session.scalar(select(Course).where(Course.slug == PACK))
    lessons = list(db.session.scalars(select(Lesson).where(Lesson.course_id == course.id)))
    cohort = Cohort(
        course_id=course.id, name="Azilal 2026", territory="Azilal", join_code=new_join_code()
    )
    db.session.add(cohort)
    db.session.flush()
    fill_completed(course.id, cohort.id, learners, lessons, "apprenante")
    return cohort.id


def run_job(cohort_id: int, learners: int) -> float:
    """Start the bulk issuance, wait for its end and check every learner got a certificate;
    the certificates issued per second."""
    from lms.jobs.models import Job
    from lms.jobs.operations import start_job

    job = start_job("certificates.issue", {"cohort_id": cohort_id})
    started = time.perf_counter()
    db.session.commit()  # hands the job over
    last = -1
    while True:
        db.session.rollback()
        job = db.session.get(Job, job.id, populate_existing=True)
        if job.processed != last and job.processed % 100 < 10:
            print(
                f"  {job.processed}/{job.total} after {time.perf_counter() - started:.1f}s",
                flush=True,
            )
        last = job.processed
        if job.finished:
            seconds = time.perf_counter() - started
            assert (job.status, job.done) == ("done", learners), (
                job.status,
                job.done,
                job.failed,
                job.errors,
            )
            return learners / seconds
        time.sleep(0.1)


def warm_renderer() -> None:
    """Load fonts and stylesheets once, as a long-running process has."""
    from certificates.render import get_renderer

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_certificates import sample_snapshot

    get_renderer().render(sample_snapshot())


def embedded(learners: int, folder: str) -> tuple[float, float]:
    url = f"sqlite:///{folder}/bench.sqlite3"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "LMS_PUBLIC_URL": "https://academie.example.org",
        },
        instance_path=f"{folder}/instance",
    )
    with app.app_context():
        import_all_models()
        db.create_all()
        cohort_id = build_cohort(learners)
        warm_renderer()
        print(f"embedded (SQLite): {learners} learners ready", flush=True)
        per_s = run_job(cohort_id, learners)
        check_credentials(learners)
        print(
            f"embedded: {learners} certificates in {learners / per_s:.1f}s = {per_s:.1f}/s",
            flush=True,
        )
        zip_peak = zip_memory(cohort_id)
    return per_s, zip_peak


def zip_memory(cohort_id: int) -> float:
    """Stream the cohort's ZIP; the peak of Python allocations meanwhile, in MB."""
    from certificates.bulk import stream_zip, zip_entries
    from lms.cohorts.models import Cohort

    entries = zip_entries(db.session.get(Cohort, cohort_id))
    tracemalloc.start()
    started, size = time.perf_counter(), 0
    for chunk in stream_zip(entries):
        size += len(chunk)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"zip: {len(entries)} PDFs, {size / 1e6:.1f} MB in {time.perf_counter() - started:.1f}s, "
        f"peak Python memory {peak / 1e6:.2f} MB",
        flush=True,
    )
    return peak / 1e6


def celery(
    learners: int, workers: int, postgres: str, redis_url: str, folder: str, pool: str
) -> tuple[float, float, float]:
    schema = f"lms_bench_{uuid.uuid4().hex[:8]}"
    queue = f"lms-bench-{uuid.uuid4().hex[:8]}"
    admin_engine = create_engine(database_url(postgres), isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = (
        f"{database_url(postgres)}{'&' if '?' in postgres else '?'}options=-csearch_path%3D{schema}"
    )
    config = {
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "bench",
        "LMS_PUBLIC_URL": "https://academie.example.org",
        "LMS_CELERY_BROKER_URL": redis_url,
        "LMS_CELERY_QUEUE": queue,
    }
    processes: list[subprocess.Popen] = []
    try:
        app = create_app(config, instance_path=f"{folder}/instance-pg")
        with app.app_context():
            import_all_models()
            db.create_all()
            cohort_id = build_cohort(learners)
            print(
                f"celery (PostgreSQL + Redis): {learners} learners ready; starting {workers} workers",
                flush=True,
            )
            environment = {
                **os.environ,
                "DATABASE_URL": url,
                "LMS_INSTANCE_PATH": app.instance_path,
                "SECRET_KEY": "bench",
                "LMS_PUBLIC_URL": config["LMS_PUBLIC_URL"],
                "LMS_CELERY_BROKER_URL": redis_url,
                "LMS_CELERY_QUEUE": queue,
            }
            for number in range(workers):
                processes.append(start_worker(number, environment, Path(folder), queue, pool))
            postgres_before = postgres_cpu_s()
            per_s = run_job(cohort_id, learners)
            server_cpu = postgres_cpu_s() - postgres_before
            if server_cpu:
                print(
                    f"PostgreSQL's CPU meanwhile: {server_cpu:.1f}s, "
                    f"{server_cpu * 1000 / learners:.0f} ms per certificate",
                    flush=True,
                )
            print(
                f"celery{workers}: {learners} certificates in {learners / per_s:.1f}s = {per_s:.1f}/s",
                flush=True,
            )
            check_credentials(learners)
            cpu = sum(worker_cpu_s(process) for process in processes)
            print(
                f"workers' CPU: {cpu:.1f}s in all, {cpu * 1000 / learners:.0f} ms per certificate",
                flush=True,
            )
            rss = [worker_rss_mb(process) for process in processes]
            for number, (total, parts, pss) in enumerate(rss):
                print(
                    f"worker {number}: RSS {total:.0f} MB ("
                    + " + ".join(f"{p:.0f}" for p in parts)
                    + f" MB: main + pool process), PSS {pss:.0f} MB",
                    flush=True,
                )
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()
        return (
            per_s,
            max(total for total, _parts, _pss in rss),
            max(pss for _total, _parts, pss in rss),
        )
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        with admin_engine.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin_engine.dispose()
        import redis

        redis.Redis.from_url(redis_url).delete(queue)


def check_credentials(learners: int) -> None:
    """Every certificate of the run has its signed credential (credentials were on)."""
    from certificates.credentials.models import CertificateCredential
    from certificates.models import Certificate

    db.session.remove()
    certificates = db.session.scalar(select(func.count()).select_from(Certificate))
    credentials = db.session.scalar(select(func.count()).select_from(CertificateCredential))
    print(f"{certificates} certificates, {credentials} credentials", flush=True)
    if not certificates == credentials == learners:
        raise SystemExit("a certificate without its credential: the figure does not count")


def start_worker(
    number: int, environment: dict, folder: Path, queue: str, pool: str
) -> subprocess.Popen:
    log_path = folder / f"worker-{number}.log"
    profile = os.environ.get("BENCH_PROFILE")  # a folder: each worker writes its cProfile there
    command = [
        *(
            [sys.executable, "-m", "cProfile", "-o", f"{profile}/worker-{number}.prof"]
            if profile
            else []
        ),
        str(Path(sys.executable).with_name("lms")),
        "worker",
        "--concurrency=1",
        f"--pool={pool}",
        "--without-gossip",
        "--without-mingle",
        f"--hostname={queue}-{number}@%h",
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, env=environment, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while b" ready." not in log_path.read_bytes():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the worker did not start:\n" + log_path.read_text(errors="replace"))
        time.sleep(0.1)
    return process


def postgres_cpu_s() -> float:
    """CPU seconds used so far by the PostgreSQL server's processes on this machine (0 when it
    runs elsewhere or they cannot be read)."""
    total = 0.0
    for process in psutil.process_iter(["name", "cpu_times"]):
        if (process.info["name"] or "").startswith("postgres") and process.info["cpu_times"]:
            total += process.info["cpu_times"].user + process.info["cpu_times"].system
    return total


def worker_cpu_s(process: subprocess.Popen) -> float:
    """CPU seconds (user + system) used so far by a worker and its pool processes."""
    main = psutil.Process(process.pid)
    times = [p.cpu_times() for p in [main, *main.children(recursive=True)]]
    return sum(t.user + t.system for t in times)


def worker_rss_mb(process: subprocess.Popen) -> tuple[float, list[float], float]:
    """A worker's resident memory, in MB: the sum over its main process and its pool process
    (which was forked from it and shares many of its pages, so the sum counts those twice),
    each process's RSS, and the sum of their proportional set sizes (shared pages split)."""
    main = psutil.Process(process.pid)
    processes = [main, *main.children(recursive=True)]
    parts = [p.memory_info().rss / 1e6 for p in processes]
    pss = sum(p.memory_full_info().pss for p in processes) / 1e6
    return sum(parts), parts, pss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "LMS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
        ),
    )
    parser.add_argument(
        "--redis", default=os.environ.get("LMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    parser.add_argument(
        "--pool",
        default="solo",
        help="Celery pool of each worker (solo, the lms worker default, or prefork)",
    )
    parser.add_argument("--skip-embedded", action="store_true")
    parser.add_argument("--skip-celery", action="store_true")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="lms-bench-bulk-")
    print(f"{psutil.cpu_count()} CPUs; load average at start {os.getloadavg()[0]:.1f}", flush=True)
    try:
        embedded_per_s, zip_peak = (
            (0.0, 0.0) if args.skip_embedded else embedded(args.learners, folder)
        )
        celery_per_s, rss, pss = (
            (0.0, 0.0, 0.0)
            if args.skip_celery
            else celery(args.learners, args.workers, args.postgres, args.redis, folder, args.pool)
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    print(
        f"RESULT embedded_per_s={embedded_per_s:.1f} celery{args.workers}_per_s={celery_per_s:.1f} "
        f"worker_rss_mb={rss:.0f} worker_pss_mb={pss:.0f} zip_peak_mb={zip_peak:.2f}"
    )


if __name__ == "__main__":
    main()
