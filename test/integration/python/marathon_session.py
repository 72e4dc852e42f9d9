"""A scripted session of Marathon's Python client (Debian's python3-marathon) against Pacer.

Usage: /usr/bin/python3 marathon_session.py <base-url> <app-id-prefix>

Each step calls one real MarathonClient method and records its outcome: ok with a small
summary of the answer, or the exception's class, HTTP status and message. A failing step does
not stop the session. The last line on stdout is one JSON object:
{"client": <version>, "steps": [{"step", "ok", "result" | "error"}]}. Waits are bounded polls.
"""
import importlib.metadata
import json
import signal
import sys
import time

from marathon import MarathonClient
from marathon.exceptions import MarathonHttpError
from marathon.models import MarathonApp

BASE_URL = sys.argv[1]
PREFIX = sys.argv[2].rstrip('/')
APP_ID = PREFIX + '/sleeper'
QUEUED_ID = PREFIX + '/too-big'
WAIT_SECONDS = 20

client = MarathonClient(BASE_URL, timeout=10)
steps = []


def run(name, call, summarize=lambda result: result):
    try:
        result = call()
        steps.append({'step': name, 'ok': True, 'result': summarize(result)})
        return result
    except Exception as error:  # the outcome is the point: record any failure and go on
        described = {'type': type(error).__name__, 'message': str(error)}
        if isinstance(error, MarathonHttpError):
            described['status'] = error.status_code
            described['message'] = error.error_message
        steps.append({'step': name, 'ok': False, 'error': described})
        return None


def wait_until(name, probe):
    """Polls probe() until it returns something truthy; records how it ended."""
    deadline = time.monotonic() + WAIT_SECONDS
    last = None
    while time.monotonic() < deadline:
        try:
            last = probe()
        except Exception as error:
            last = '%s: %s' % (type(error).__name__, error)
        else:
            if last:
                steps.append({'step': name, 'ok': True, 'result': last})
                return last
        time.sleep(0.2)
    steps.append({'step': name, 'ok': False, 'error': {'type': 'Timeout', 'message': 'last seen: %r' % (last,)}})
    return None


def running_task_ids(app_id, count):
    tasks = client.list_tasks(app_id)
    ids = sorted(t.id for t in tasks if t.state == 'TASK_RUNNING')
    return ids if len(ids) == count else None


def queued_raw():
    # A raw look at the queue, so that waiting does not depend on the client's queue model.
    response = client._do_request('GET', '/v2/queue')
    return [item['app']['id'] for item in response.json()['queue'] if item['app']['id'] == QUEUED_ID]


def deployment_gone(deployment_id):
    return deployment_id not in [d.id for d in client.list_deployments()]


# --- server
run('ping', client.ping, lambda pong: pong.decode('utf-8'))
run('get_info', client.get_info, lambda info: {
    'name': info.name, 'version': info.version, 'elected': info.elected,
    'framework_id': info.framework_id, 'leader': info.leader,
})
run('get_leader', client.get_leader)

# --- an app: create, list, get, scale
created = run('create_app', lambda: client.create_app(APP_ID, MarathonApp(cmd='sleep 600', cpus=0.05, mem=16, instances=1)),
              lambda app: {'id': app.id, 'instances': app.instances, 'deployments': len(app.deployments)})
wait_until('wait_one_task', lambda: running_task_ids(APP_ID, 1))
run('list_apps', lambda: client.list_apps(embed_counts=True, embed_tasks=True),
    lambda apps: [{'id': a.id, 'instances': a.instances, 'tasks_running': a.tasks_running} for a in apps])
run('get_app', lambda: client.get_app(APP_ID),
    lambda app: {'id': app.id, 'instances': app.instances, 'tasks_running': app.tasks_running, 'tasks': len(app.tasks)})
scaled = run('scale_app', lambda: client.scale_app(APP_ID, instances=2))
run('list_deployments', client.list_deployments,
    lambda deployments: [{'id': d.id, 'affected_apps': d.affected_apps, 'total_steps': d.total_steps} for d in deployments])
two = wait_until('wait_two_tasks', lambda: running_task_ids(APP_ID, 2))

# --- tasks: list them, kill one, see it replaced
run('list_tasks', lambda: client.list_tasks(APP_ID),
    lambda tasks: [{'id': t.id, 'app_id': t.app_id, 'state': t.state, 'host': t.host, 'ports': t.ports} for t in tasks])
run('list_all_tasks', client.list_tasks, lambda tasks: sorted(t.id for t in tasks))
run('list_endpoints', client.list_endpoints,
    lambda endpoints: [{'app_id': e.app_id, 'task_id': e.task_id, 'host': e.host, 'service_port': e.service_port, 'task_port': e.task_port} for e in endpoints])
victim = two[0] if two else None
run('kill_task', lambda: client.kill_task(APP_ID, victim), lambda task: {'id': task.id} if hasattr(task, 'id') else task)
wait_until('wait_replacement', lambda: (lambda ids: ids if ids and victim not in ids else None)(running_task_ids(APP_ID, 2)))

# --- restart and its deployment: every task is replaced
before_restart = running_task_ids(APP_ID, 2) or []
restarted = run('restart_app', lambda: client.restart_app(APP_ID))
run('list_deployments_after_restart', client.list_deployments, lambda deployments: [d.id for d in deployments])
if restarted:
    wait_until('wait_restart_done', lambda: deployment_gone(restarted['deploymentId']))
wait_until('wait_restarted_tasks', lambda: (lambda ids: ids if ids and not set(ids) & set(before_restart) else None)(running_task_ids(APP_ID, 2)))
run('list_versions', lambda: client.list_versions(APP_ID))

# --- the launch queue, with an app that can never be placed
run('create_queued_app', lambda: client.create_app(QUEUED_ID, MarathonApp(cmd='sleep 600', cpus=100, mem=16, instances=1)),
    lambda app: {'id': app.id})
wait_until('wait_queued', queued_raw)
run('list_queue', client.list_queue, lambda items: [{'app': i.app.id, 'count': i.count} for i in items])
run('reset_delay', lambda: client.reset_delay(QUEUED_ID))
run('delete_queued_app', lambda: client.delete_app(QUEUED_ID, force=True))

# --- groups, metrics
run('list_groups', client.list_groups, lambda groups: [g.id for g in groups])
run('get_group', lambda: client.get_group(PREFIX), lambda group: {'id': group.id, 'apps': [a.id for a in group.apps]})
run('get_metrics', client.get_metrics, lambda metrics: sorted(metrics.keys()))

# --- the event stream: its first event is this stream's own attachment


def first_event():
    def give_up(signum, frame):
        raise TimeoutError('no event within 10 s')
    signal.signal(signal.SIGALRM, give_up)
    signal.alarm(10)
    try:
        stream = client.event_stream()
        event = next(stream)
        stream.close()
        return event
    finally:
        signal.alarm(0)


run('event_stream', first_event, lambda event: {'event_type': event.event_type, 'remote_address': event.remote_address})

# --- removed in Marathon 1.5: HTTP callback event subscriptions
run('list_event_subscriptions', client.list_event_subscriptions)
run('create_event_subscription', lambda: client.create_event_subscription('http://127.0.0.1:9/callback'))

# --- delete
deleted = run('delete_app', lambda: client.delete_app(APP_ID, force=True))
if deleted:
    wait_until('wait_delete_done', lambda: deployment_gone(deleted['deploymentId']))
run('get_deleted_app', lambda: client.get_app(APP_ID))

print(json.dumps({'client': importlib.metadata.version('marathon'), 'steps': steps}))
