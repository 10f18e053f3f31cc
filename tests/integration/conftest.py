"""The running network of services for integration tests: every service on the test's vhost
and databases, with short pick-up windows so missed deadlines happen within a test."""
import dataclasses

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from services.consent.service import ConsentService
from services.directory.service import DirectoryService
from services.intake.service import IntakeService
from services.monitor.service import MonitorService
from services.notifications.service import NotificationService
from services.referrals.service import ReferralService
from shared.net import free_port
from shared.runtime.settings import nameko_config as build_config




@pytest.fixture
def settings(settings):
    http_address = f"127.0.0.1:{free_port()}"
    return dataclasses.replace(settings, pickup_deadlines="risk_to_life=2s,urgent=2s,normal=3bd",
                               deadline_check_interval=0.2, http_address=http_address,
                               gateway_address=f"127.0.0.1:{free_port()}", notifications_url=f"http://{http_address}",
                               webhook_base_delay=0.05, webhook_max_attempts=4, delivery_poll_interval=0.1,
                               smtp_port=free_port(), digest_interval=1.0, flow_check_interval=0.3)


@pytest.fixture
def nameko_config(settings):
    return build_config(settings)


@pytest.fixture
def network(runner_factory, nameko_config):
    """(RPC proxy, the referrals runner): referrals runs apart so a test can kill and restart it."""
    others = runner_factory(nameko_config, DirectoryService, IntakeService, ConsentService, MonitorService,
                            NotificationService)
    others.start()
    referrals = runner_factory(nameko_config, ReferralService)
    referrals.start()
    with ClusterRpcProxy(nameko_config, timeout=20) as proxy:
        yield proxy, referrals
    for runner in (referrals, others):  # before the test's vhost goes away
        runner.kill()
