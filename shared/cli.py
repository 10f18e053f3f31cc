"""The ``tsunagu`` command: run services, play the demo, show the configuration.

Eventlet is monkey-patched here, first, and only for the commands that run nameko; the domain
and backbone modules never import it.
"""
from __future__ import annotations

import argparse
import sys

STOP_TIMEOUT = 20  # seconds a graceful stop may take before the services are killed

SERVICES = {
    "directory": "services.directory.service:DirectoryService",
    "intake": "services.intake.service:IntakeService",
    "consent": "services.consent.service:ConsentService",
    "referrals": "services.referrals.service:ReferralService",
    "notifications": "services.notifications.service:NotificationService",
    "monitor": "services.monitor.service:MonitorService",
    "gateway": "services.gateway.service:GatewayService",
}


def _green() -> None:
    import warnings
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    import eventlet
    eventlet.monkey_patch()
    from psycogreen.eventlet import patch_psycopg
    patch_psycopg()


def _settings():
    from . import config
    try:
        return config.load()
    except config.ConfigError as exc:
        sys.exit(f"tsunagu: {exc}")


def service_class(name: str):
    module, _, attr = SERVICES[name].partition(":")
    return getattr(__import__(module, fromlist=[attr]), attr)


def run(names: list[str]) -> None:
    _green()
    import gc
    import logging
    import signal

    import eventlet
    from nameko.runners import ServiceRunner

    from .runtime.settings import nameko_config

    from . import logs
    from .runtime import metrics

    settings = _settings()
    logs.configure(settings.log_level, settings.log_format)
    metrics.serve(settings.metrics_address)
    runner = ServiceRunner(nameko_config(settings))
    for name in names:
        runner.add_service(service_class(name))
    stop = eventlet.event.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.ready() or stop.send())
    runner.start()
    # What start-up built (modules, containers, schemas) lives as long as the process: a full
    # collection that walks it all paused every green thread 50-70 ms (measured under the
    # hand-off benchmark); frozen, it is skipped and the pauses fall to a few ms.
    gc.freeze()
    logging.getLogger("tsunagu").info("running %s against %s", ", ".join(names),
                                      settings.amqp_uri.rsplit("@", 1)[-1])
    print(f"tsunagu: running {', '.join(names)}; Ctrl-C stops", flush=True)
    for container in runner.containers:
        eventlet.spawn(_exit_if_it_dies, container, stop)
    eventlet.spawn(_exit_if_deaf, runner, settings, stop)
    stop.wait()
    stopping = eventlet.spawn(runner.stop)
    try:
        with eventlet.Timeout(STOP_TIMEOUT):
            stopping.wait()  # in-flight work finishes and is acked
    except eventlet.Timeout:  # e.g. the broker is gone: unacked messages are redelivered later
        logging.getLogger("tsunagu").warning("graceful stop took over %ss; killing", STOP_TIMEOUT)
        runner.kill()


def _exit_if_it_dies(container, stop) -> None:
    """Crash-only: a service whose container died (an error nameko does not survive) takes the
    process down with a non-zero status, so its supervisor (Docker, Kubernetes, systemd)
    restarts it, instead of it lingering alive but deaf."""
    import logging
    import os
    try:
        container.wait()
    except Exception as exc:
        if stop.ready():
            return
        logging.getLogger("tsunagu").critical("%s died (%s); exiting so it is restarted",
                                              container.service_name, exc)
        os._exit(70)


DEAF_CHECK_SECONDS, DEAF_PATIENCE = 5.0, 4


def _exit_if_deaf(runner, settings, stop) -> None:
    """Crash-only again: exit when this process's RPC reply queues have gone unconsumed for
    ~20 s while the broker answers (see shared.runtime.rpc.DeafnessCheck)."""
    import logging
    import os

    import eventlet

    from .messaging.publisher import connect
    from .runtime.rpc import DeafnessCheck, reply_queues

    queues = [q for container in runner.containers for q in reply_queues(container)]
    check = DeafnessCheck(queues, DEAF_PATIENCE)
    while queues and not stop.ready():
        eventlet.sleep(DEAF_CHECK_SECONDS)
        try:
            connection = connect(settings.amqp_uri)
            try:
                consumers = {q: _consumer_count(connection, q) for q in queues}
            finally:
                connection.close()
        except Exception:  # the broker is away
            consumers = None
        if check.observe(consumers) and not stop.ready():
            logging.getLogger("tsunagu").critical("nothing consumes %s although the broker answers; "
                                                  "exiting so this process is restarted", ", ".join(queues))
            os._exit(70)


def _consumer_count(connection, queue: str) -> int:
    import amqp
    try:
        return connection.channel().queue_declare(queue, passive=True).consumer_count
    except amqp.exceptions.NotFound:  # expired: nobody has consumed it for a while
        return 0


def health(settings, service: str) -> int:
    """Healthy when at least one instance of the service consumes its RPC queue (the gateway:
    when its HTTP API answers)."""
    from .messaging.publisher import connect
    if service == "gateway":
        return _gateway_health(settings)
    try:
        connection = connect(settings.amqp_uri)
        try:
            _, _, consumers = connection.channel().queue_declare(f"rpc-{service}", passive=True)
        finally:
            connection.close()
    except Exception as exc:  # broker away or queue not declared yet: not healthy
        print(f"{service}: unhealthy ({exc})")
        return 1
    print(f"{service}: {consumers} consumer(s)")
    return 0 if consumers else 1


def _gateway_health(settings) -> int:
    import requests
    try:
        status = requests.get(f"http://{settings.gateway_address}/api/v1/openapi.json", timeout=5).status_code
    except requests.RequestException as exc:
        print(f"gateway: unhealthy ({exc})")
        return 1
    print(f"gateway: HTTP {status}")
    return 0 if status == 200 else 1


def _desk_problem(settings, desk_id: str) -> str | None:
    """Why an account cannot act for this desk (not in the directory, or it cannot be asked)."""
    _green()
    from nameko.exceptions import RemoteError, RpcTimeout, UnknownService
    from nameko.standalone.rpc import ClusterRpcProxy

    from .runtime.settings import nameko_config
    try:
        with ClusterRpcProxy(nameko_config(settings), timeout=10) as rpc:
            rpc.directory.get_desk(desk_id)
    except RemoteError as exc:
        if exc.exc_type == "NotFound":
            return f"no desk {desk_id!r} in the directory"
        raise
    except (UnknownService, RpcTimeout, OSError) as exc:
        return f"the directory service is not answering ({type(exc).__name__}); start the services first (tsunagu run)"
    return None


def create_staff(settings, username: str, desk_id: str, role: str, display_name: str, password_stdin: bool,
                 exist_ok: bool = False) -> int:
    """A staff account straight into the gateway's database (the first admin needs no sign-in)."""
    import getpass
    from pathlib import Path


    import services.gateway
    from services.gateway.accounts import ROLES
    from services.gateway.handlers import create_staff as create
    from services.gateway.schemas import StaffRequest

    from .clock import utc_now
    from .errors import Conflict, InvalidInput, load
    from .events.catalog import REGISTRY
    from .persistence.engine import make_engine
    from .persistence.migrations import upgrade
    from .unit_of_work import UnitOfWork

    if role not in ROLES:
        print(f"tsunagu: --role must be one of {', '.join(ROLES)}", file=sys.stderr)
        return 2
    problem = _desk_problem(settings, desk_id)
    if problem:
        print(f"tsunagu: {problem}", file=sys.stderr)
        return 3
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("password (12+ characters): ")
        if getpass.getpass("again: ") != password:
            print("tsunagu: the two passwords differ", file=sys.stderr)
            return 2
    try:
        load(StaffRequest(), {"username": username, "password": password, "desk_id": desk_id, "role": role,
                              "display_name": display_name})
    except InvalidInput as exc:
        for field, messages in exc.errors.items():
            print(f"tsunagu: {field}: {' '.join(map(str, messages))}", file=sys.stderr)
        return 2
    engine = make_engine(settings.database_url_for("gateway"))
    try:
        upgrade(engine, Path(services.gateway.__file__).parent / "migrations")
        with UnitOfWork(engine, REGISTRY) as uow:
            account = create(uow, username, password, desk_id, role, display_name, utc_now())
    except Conflict as exc:
        print(f"tsunagu: {exc}", file=sys.stderr)
        return 0 if exist_ok else 2
    except InvalidInput as exc:
        print(f"tsunagu: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    print(f"created {account['role']} {account['username']} ({account['id']}) at desk {account['desk_id']}")
    return 0


ENCRYPTED_TABLES = {"intake": "services.intake.tables", "consent": "services.consent.tables"}


def rotate_keys(settings) -> int:
    from . import crypto
    from .key_rotation import rotate
    from .persistence.engine import make_engine
    crypto.configure(settings)
    for service, module in ENCRYPTED_TABLES.items():
        metadata = __import__(module, fromlist=["metadata"]).metadata
        engine = make_engine(settings.database_url_for(service))
        try:
            if not sa_has_tables(engine, metadata):
                print(f"{service}: no database yet, nothing to rotate")
                continue
            print(f"{service}: rotating")
            print(f"{service}: {rotate(engine, metadata)} rows re-encrypted")
        finally:
            engine.dispose()
    return 0


def provision_feed(settings, desk_id: str) -> int:
    from urllib.parse import unquote, urlsplit

    from services.notifications.feeds import provision

    from .messaging.management import Management
    vhost = unquote(urlsplit(settings.amqp_uri).path.lstrip("/")) or "/"
    try:
        created = provision(Management(settings.management_uri), vhost, desk_id)
    except ValueError as exc:
        print(f"tsunagu: {exc}", file=sys.stderr)
        return 2
    for key, value in created.items():
        print(f"{key}: {value}")
    return 0


def verify_disclosures(settings) -> int:
    """Exit 0 when every entry matches its chain; else print the first entry that does not."""
    from services.consent.handlers import verify_log
    from sqlalchemy.orm import Session

    from .persistence.engine import make_engine
    engine = make_engine(settings.database_url_for("consent"))
    try:
        with Session(engine) as session:
            broken = verify_log(session)
    finally:
        engine.dispose()
    if broken is None:
        print("disclosure log: every entry matches its hash chain")
        return 0
    print(f"disclosure log: entry {broken} does not match (changed, deleted or inserted)")
    return 1


def sa_has_tables(engine, metadata) -> bool:
    import sqlalchemy as sa
    return all(sa.inspect(engine).has_table(t.name) for t in metadata.sorted_tables)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="tsunagu", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run_cmd = commands.add_parser("run", help="run services (all by default) until stopped")
    run_cmd.add_argument("services", nargs="*", metavar="SERVICE",
                         help=f"one or more of: {', '.join(SERVICES)}")
    demo_cmd = commands.add_parser("demo", help="record the invented demo cases and show a trace")
    demo_cmd.add_argument("--timeout", type=float, default=30.0)
    config_cmd = commands.add_parser("config", help="validate and print the configuration")
    config_cmd.add_argument("--markdown", action="store_true", help="print the table of every setting instead")
    commands.add_parser("rotate-keys", help="re-encrypt personal data under the newest TSUNAGU_DATA_KEYS key")
    commands.add_parser("verify-disclosures", help="check the disclosure log's hash chain; name the first bad entry")
    feed_cmd = commands.add_parser("provision-feed", help="create an agency's AMQP feed user (prints the password once)")
    feed_cmd.add_argument("desk_id")
    commands.add_parser("asyncapi", help="print the AsyncAPI document of the agency feeds")
    commands.add_parser("openapi", help="print the OpenAPI document of the gateway's HTTP API")
    staff_cmd = commands.add_parser("create-staff", help="create a staff account; the first admin starts here "
                                                         "(password asked twice, or one line on stdin)")
    staff_cmd.add_argument("username")
    staff_cmd.add_argument("--desk", required=True, help="the desk id the account acts for")
    staff_cmd.add_argument("--role", default="staff", help="staff, supervisor or admin (default staff)")
    staff_cmd.add_argument("--name", default="", help="display name")
    staff_cmd.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    staff_cmd.add_argument("--exist-ok", action="store_true", help="succeed if the username exists already")
    health_cmd = commands.add_parser("health", help="exit 0 when SERVICE is consuming (for healthchecks)")
    health_cmd.add_argument("service", choices=sorted(SERVICES))
    args = parser.parse_args(argv)
    if args.command == "run":
        unknown = sorted(set(args.services) - set(SERVICES))
        if unknown:
            parser.error(f"unknown service {', '.join(unknown)}; choose from {', '.join(SERVICES)}")
        run(args.services or list(SERVICES))
    elif args.command == "demo":
        _green()
        from .demo import play
        sys.exit(play(_settings(), timeout=args.timeout))
    elif args.command == "health":
        sys.exit(health(_settings(), args.service))
    elif args.command == "create-staff":
        sys.exit(create_staff(_settings(), args.username, args.desk, args.role, args.name, args.password_stdin,
                              args.exist_ok))
    elif args.command == "provision-feed":
        sys.exit(provision_feed(_settings(), args.desk_id))
    elif args.command == "asyncapi":
        from .asyncapi import document_yaml
        print(document_yaml(), end="")
    elif args.command == "openapi":
        import json

        from services.gateway.openapi import build
        print(json.dumps(build(), ensure_ascii=False, indent=2))
    elif args.command == "verify-disclosures":
        sys.exit(verify_disclosures(_settings()))
    elif args.command == "rotate-keys":
        sys.exit(rotate_keys(_settings()))
    elif args.command == "config" and args.markdown:
        from .config import describe
        print("| variable | default | expected form |\n|---|---|---|")
        for variable, default, meaning in describe():
            print(f"| `{variable}` | `{default}` | {meaning} |")
    elif args.command == "config":
        settings = _settings()
        for name, value in vars(settings).items():
            print(f"TSUNAGU_{name.upper()}={value}")
