#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Contract check: the published Marathon client (Debian's python3-marathon) against the
Marathon at URL, unchanged. It lists, reads, restarts, scales and updates an app, then rolls a
stuck deployment back and force-cancels another. Prints one JSON document of what the calls
returned; exits non-zero on the first failure.

usage: marathon_client.py URL [--app /shop/web] [--image shop/web:2.0]
                              [--broken-image shop/web:broken]
"""
import argparse
import json
import sys
import time
import traceback

from marathon import MarathonClient
from marathon.exceptions import ConflictError, NotFoundError


def check(condition, what):
    if not condition:
        raise AssertionError(what)


def wait_until_no_deployments(client, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not client.list_deployments():
            return
        time.sleep(0.05)
    raise AssertionError('deployments still running after %.0f s' % timeout)


def wait_for(what, predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError('timed out waiting for ' + what)


def image_of(app):
    return app.container.docker.image


def run(args):
    client = MarathonClient(args.url, timeout=10)
    out = {}

    apps = client.list_apps(embed_tasks=True)
    check(any(a.id == args.app for a in apps), 'list_apps has no %s' % args.app)
    app = next(a for a in apps if a.id == args.app)
    check(len(app.tasks) == app.instances, 'embedded tasks != instances')
    check(app.tasks_running == app.instances, 'tasksRunning != instances')
    if app.health_checks:
        check(app.tasks_healthy == app.instances, 'tasksHealthy != instances')
        check(all(t.health_check_results and t.health_check_results[0].alive for t in app.tasks),
              'a task without a passing health check result')
    out['list_apps'] = [{'id': a.id, 'instances': a.instances, 'tasks': len(a.tasks),
                         'tasksHealthy': a.tasks_healthy} for a in apps]

    got = client.get_app(args.app)
    check(got.version == app.version, 'get_app version differs from list_apps')
    check(got.version_info.last_config_change_at is not None, 'versionInfo not parsed')
    check(len(got.tasks) == got.instances, 'get_app does not embed the tasks')
    out['get_app'] = {'id': got.id, 'version': got.version, 'image': image_of(got),
                      'instances': got.instances, 'deployments': len(got.deployments)}

    tasks = client.list_tasks(args.app)
    check(len(tasks) == got.instances, 'list_tasks count')
    check(all(t.started_at is not None and t.staged_at is not None for t in tasks),
          'task timestamps not parsed')
    check(all(t.app_id == args.app and t.host and t.slave_id for t in tasks), 'task fields')
    out['list_tasks'] = sorted(t.id for t in tasks)
    check(client.list_deployments() == [], 'deployments before any change')

    restarted = client.restart_app(args.app)
    check(restarted.get('deploymentId') and restarted.get('version'), 'restart_app answer')
    listed = client.list_deployments()
    check([d.id for d in listed] == [restarted['deploymentId']], 'restart not listed')
    check(listed[0].current_step == 1 and listed[0].total_steps == 1, 'deployment steps')
    check(listed[0].current_actions[0].action == 'RestartApplication', 'restart action')
    out['restart_app'] = {'deployment': listed[0].id, 'affectedApps': listed[0].affected_apps,
                          'action': listed[0].current_actions[0].action}
    wait_until_no_deployments(client)
    after = client.get_app(args.app)
    check(all(t.version == after.version for t in after.tasks), 'restart left old tasks')
    check(not set(t.id for t in after.tasks) & set(out['list_tasks']), 'restart kept a task')

    scaled = client.scale_app(args.app, instances=after.instances + 1)
    check(scaled.get('deploymentId'), 'scale_app answer')
    wait_until_no_deployments(client)
    after = client.get_app(args.app)
    check(after.instances == got.instances + 1 and len(after.tasks) == after.instances,
          'scale_app did not add a task')
    out['scale_app'] = {'instances': after.instances, 'tasks': len(after.tasks)}

    app = client.get_app(args.app)
    app.container.docker.image = args.image
    updated = client.update_app(args.app, app)
    check(updated.get('deploymentId') and updated.get('version'), 'update_app answer')
    wait_until_no_deployments(client)
    after = client.get_app(args.app)
    check(image_of(after) == args.image, 'update_app did not change the image')
    check(after.version == updated['version'], 'app version is not the update\'s version')
    check(len(after.tasks) == after.instances
          and all(t.version == after.version for t in after.tasks), 'update left old tasks')
    out['update_app'] = {'image': image_of(after), 'version': after.version}

    # A deployment to an image that never gets healthy stays; other changes are refused.
    app = client.get_app(args.app)
    app.container.docker.image = args.broken_image
    stuck = client.update_app(args.app, app)
    wait_for('a broken task', lambda: any(
        t.version == stuck['version'] for t in client.list_tasks(args.app)))
    try:
        client.scale_app(args.app, delta=1)
        raise AssertionError('a change to a locked app was accepted')
    except ConflictError as error:
        out['locked'] = error.error_message
    check([d.id for d in client.list_deployments()] == [stuck['deploymentId']], 'stuck listed')
    rolled = client.delete_deployment(stuck['deploymentId'])
    check(rolled.get('deploymentId') and rolled['deploymentId'] != stuck['deploymentId'],
          'delete_deployment did not start a rollback')
    wait_until_no_deployments(client)
    after = client.get_app(args.app)
    check(image_of(after) == args.image, 'rollback did not restore the image')
    wait_for('the rolled-back tasks', lambda: all(
        t.version == after.version for t in client.list_tasks(args.app)))
    out['delete_deployment'] = {'rollback': rolled['deploymentId'], 'image': image_of(after)}

    app = client.get_app(args.app)
    app.container.docker.image = args.broken_image
    stuck = client.update_app(args.app, app)
    check(client.delete_deployment(stuck['deploymentId'], force=True) == {}, 'forced delete')
    wait_until_no_deployments(client)
    check(image_of(client.get_app(args.app)) == args.broken_image, 'force must not roll back')
    out['delete_deployment_force'] = {'cancelled': stuck['deploymentId']}

    try:
        client.get_app('/no/such/app')
        raise AssertionError('an unknown app was found')
    except NotFoundError as error:
        out['not_found'] = error.error_message
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('url')
    parser.add_argument('--app', default='/shop/web')
    parser.add_argument('--image', default='shop/web:2.0')
    parser.add_argument('--broken-image', default='shop/web:broken')
    args = parser.parse_args()
    try:
        out = run(args)
    except Exception as error:  # any failure is the contract's failure
        traceback.print_exc()
        print('FAILED: %s' % error, file=sys.stderr)
        return 1
    print(json.dumps(out, sort_keys=True))
    return 0


if __name__ == '__main__':
    sys.exit(main())
