#!/usr/bin/env python3
"""A Mesos v1 HTTP scheduler written against the wire only: Python 3 standard library, no Pacer code.

Usage: python3 foreign_scheduler.py http://HOST:PORT

It behaves the way pymesos and mesos-go do: SUBSCRIBE with `Accept: application/json` on a raw
socket whose chunked body it decodes itself (its own HTTP/1.1 response, chunked transfer and
RecordIO parsers), and every other call on one second keep-alive connection (http.client)
carrying `Mesos-Stream-Id`. The session:

  subscribe -> offers -> ACCEPT a LAUNCH of `echo hi && sleep 2` twice: once with resources copied
  from the offer plus allocation_info (current clients), once without allocation_info (older
  clients) -> DECLINE other offers with refuse_seconds -> ACKNOWLEDGE every update that
  carries a uuid, with exactly the base64 string received -> implicit and explicit RECONCILE ->
  /master/state -> drop the subscription socket and re-SUBSCRIBE with the framework id (failover)
  -> the tasks are still known, the terminal updates held back before the failover are
  acknowledged on the new stream -> error answers a real master gives -> TEARDOWN.

It records what it saw rather than asserting; the last stdout line is one JSON report which the
vitest test (foreign-framework.test.ts) checks. Every wait is bounded; any unexpected failure
ends the session with {"fatal": ...} in the report.
"""
import base64
import copy
import getpass
import http.client
import json
import socket
import sys
import time
import urllib.parse

WAIT_SECONDS = 30
TERMINAL = {'TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_LOST', 'TASK_DROPPED', 'TASK_GONE'}
TASK_COMMAND = 'echo hi && sleep 2'
SCHEDULER_PATH = '/api/v1/scheduler'


class WireError(Exception):
    """The master sent bytes that are not valid HTTP/1.1 chunked RecordIO."""


class EventStream:
    """One SUBSCRIBE: a raw socket, the response head, then Events decoded incrementally."""

    def __init__(self, host, port, call, extra_headers=None):
        self.sock = socket.create_connection((host, port), timeout=WAIT_SECONDS)
        body = json.dumps(call).encode('utf-8')
        head = [
            'POST %s HTTP/1.1' % SCHEDULER_PATH,
            'Host: %s:%d' % (host, port),
            'Content-Type: application/json',
            'Accept: application/json',
            'Connection: close',
            'Content-Length: %d' % len(body),
        ]
        for name, value in (extra_headers or {}).items():
            head.append('%s: %s' % (name, value))
        self.sock.sendall(('\r\n'.join(head) + '\r\n\r\n').encode('ascii') + body)
        self.raw = b''
        self.payload = b''
        self.ended = False
        self.chunk_sizes = []
        self._read_head()

    def _recv(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError('connection closed')
        self.raw += data

    def _read_head(self):
        while b'\r\n\r\n' not in self.raw:
            self._recv()
        head, self.raw = self.raw.split(b'\r\n\r\n', 1)
        lines = head.decode('latin-1').split('\r\n')
        self.version, status, self.reason = (lines[0].split(' ', 2) + [''])[:3]
        self.status = int(status)
        self.headers = []
        for line in lines[1:]:
            name, _, value = line.partition(':')
            self.headers.append((name.strip(), value.strip()))
        self.header = {name.lower(): value for name, value in self.headers}
        self.chunked = self.header.get('transfer-encoding', '').lower() == 'chunked'
        if not self.chunked:
            length = int(self.header.get('content-length', '0'))
            while len(self.raw) < length:
                self._recv()
            self.body = self.raw[:length].decode('utf-8', 'replace')

    def _decode_chunks(self):
        """Moves complete chunks from raw to payload; marks the end on the zero-size chunk."""
        while not self.ended:
            line_end = self.raw.find(b'\r\n')
            if line_end < 0:
                return
            size_text = self.raw[:line_end].split(b';', 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise WireError('bad chunk size line %r' % self.raw[:line_end])
            if size == 0:
                self.ended = True
                return
            start = line_end + 2
            if len(self.raw) < start + size + 2:
                return
            if self.raw[start + size:start + size + 2] != b'\r\n':
                raise WireError('chunk of %d bytes not followed by CRLF' % size)
            self.chunk_sizes.append(size)
            self.payload += self.raw[start:start + size]
            self.raw = self.raw[start + size + 2:]

    def _take_record(self):
        newline = self.payload.find(b'\n')
        if newline < 0:
            return None
        size_text = self.payload[:newline]
        if not size_text.isdigit():
            raise WireError('bad RecordIO length %r' % size_text)
        size = int(size_text)
        if size == 0:
            raise WireError('RecordIO record of length 0')
        if len(self.payload) < newline + 1 + size:
            return None
        record = self.payload[newline + 1:newline + 1 + size]
        self.payload = self.payload[newline + 1 + size:]
        return json.loads(record.decode('utf-8'))

    def next_event(self, deadline):
        """The next Event, or None once the stream has ended cleanly (zero-size chunk or EOF)."""
        while True:
            self._decode_chunks()
            event = self._take_record()
            if event is not None:
                return event
            if self.ended:
                if self.payload:
                    raise WireError('stream ended inside a record')
                return None
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError('no event before the deadline')
            self.sock.settimeout(left)
            try:
                self._recv()
            except EOFError:
                self.ended = True
                self.eof_without_terminator = True

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


class Caller:
    """Every non-SUBSCRIBE call, on one persistent connection, as the C++ library and mesos-go do."""

    def __init__(self, host, port):
        self.conn = http.client.HTTPConnection(host, port, timeout=WAIT_SECONDS)
        self.sockets = set()
        self.stream_id = None

    def post(self, call, stream_id='current', content_type='application/json', method='POST', raw_body=None):
        headers = {}
        if content_type is not None:
            headers['Content-Type'] = content_type
        sid = self.stream_id if stream_id == 'current' else stream_id
        if sid is not None:
            headers['Mesos-Stream-Id'] = sid
        body = raw_body if raw_body is not None else (None if call is None else json.dumps(call))
        self.conn.request(method, SCHEDULER_PATH, body=body, headers=headers)
        self.sockets.add(id(self.conn.sock))
        response = self.conn.getresponse()
        text = response.read().decode('utf-8', 'replace')
        return {
            'status': response.status,
            'version': response.version,
            'body': text,
            'content_type': response.getheader('Content-Type'),
            'content_length': response.getheader('Content-Length'),
        }

    def get(self, path):
        self.conn.request('GET', path)
        self.sockets.add(id(self.conn.sock))
        response = self.conn.getresponse()
        return response.status, response.read().decode('utf-8')


class Session:
    def __init__(self, base_url):
        parsed = urllib.parse.urlparse(base_url)
        self.host, self.port = parsed.hostname, parsed.port
        self.caller = Caller(self.host, self.port)
        self.report = {'updates': [], 'acks': [], 'declines': [], 'accepts': [], 'offers': []}
        self.framework_id = None
        self.stream = None
        self.tasks = {}  # task id -> launch variant
        self.held_terminal = []  # terminal updates whose ACK waits until after the failover
        self.hold_terminal_acks = True
        self.idle_declined = set()  # agents declined while none of our tasks ran there
        self.phase = 'subscribe'
        self.states = {}
        self.heartbeats = 0
        self.pending = []

    # ---- calls ---------------------------------------------------------------------------------

    def framework_info(self):
        info = {'user': getpass.getuser(), 'name': 'foreign-python', 'failover_timeout': 120.0, 'hostname': 'localhost'}
        if self.framework_id is not None:
            info['id'] = {'value': self.framework_id}
        return info

    def subscribe(self):
        call = {'type': 'SUBSCRIBE', 'subscribe': {'framework_info': self.framework_info()}}
        if self.framework_id is not None:
            call['framework_id'] = {'value': self.framework_id}
        stream = EventStream(self.host, self.port, call)
        head = {
            'status': stream.status,
            'version': stream.version,
            'headers': stream.headers,
            'chunked': stream.chunked,
        }
        first = stream.next_event(time.monotonic() + WAIT_SECONDS) if stream.status == 200 else None
        return stream, head, first

    def subscribe_and_peek(self):
        """Subscribes, and notes which event follows SUBSCRIBED (it is handled later by pump)."""
        self.stream, head, first = self.subscribe()
        second = self.stream.next_event(time.monotonic() + WAIT_SECONDS)
        self.pending = [second] if second is not None else []
        head['second_event_type'] = None if second is None else second.get('type')
        return head, first

    def call(self, call_type, body_field=None, body=None, **kw):
        call = {'type': call_type, 'framework_id': {'value': self.framework_id}}
        if body_field is not None:
            call[body_field] = body
        return self.caller.post(call, **kw)

    def acknowledge(self, status):
        answer = self.call('ACKNOWLEDGE', 'acknowledge', {
            'agent_id': status['agent_id'],
            'task_id': status['task_id'],
            'uuid': status['uuid'],
        })
        self.report['acks'].append({'task': status['task_id']['value'], 'state': status['state'], 'status': answer['status'], 'body': answer['body']})

    # ---- events --------------------------------------------------------------------------------

    def on_update(self, status, phase):
        entry = {
            'phase': phase,
            'task': status['task_id']['value'],
            'state': status['state'],
            'source': status.get('source'),
            'reason': status.get('reason'),
            'message': status.get('message'),
            'has_uuid': 'uuid' in status,
            'uuid_bytes': len(base64.b64decode(status['uuid'])) if 'uuid' in status else None,
            'executor_id': status.get('executor_id', {}).get('value'),
            'agent_id': status.get('agent_id', {}).get('value'),
            'timestamp_is_number': isinstance(status.get('timestamp'), (int, float)),
            'container_status': status.get('container_status'),
            'keys': sorted(status.keys()),
        }
        self.report['updates'].append(entry)
        if status.get('reason') != 'REASON_RECONCILIATION':
            self.states[entry['task']] = status['state']
        if 'uuid' in status:
            if status['state'] in TERMINAL and self.hold_terminal_acks:
                self.held_terminal.append(status)
            else:
                self.acknowledge(status)

    def launch(self, offer, task_id, keep_allocation_info):
        wanted = {'cpus': 0.1, 'mem': 32.0}
        resources = []
        for resource in offer['resources']:
            if resource['name'] in wanted and resource['type'] == 'SCALAR':
                taken = copy.deepcopy(resource)
                taken['scalar'] = {'value': wanted.pop(resource['name'])}
                if keep_allocation_info:
                    # This framework is not MULTI_ROLE capable, so offers carry no allocation_info
                    # (MESOS-8237); a client written for current Mesos sends it anyway.
                    taken.setdefault('allocation_info', {'role': '*'})
                else:
                    taken.pop('allocation_info', None)
                resources.append(taken)
        task = {
            'name': task_id,
            'task_id': {'value': task_id},
            'agent_id': offer['agent_id'],
            'resources': resources,
            'command': {'value': TASK_COMMAND},
        }
        answer = self.call('ACCEPT', 'accept', {
            'offer_ids': [offer['id']],
            'operations': [{'type': 'LAUNCH', 'launch': {'task_infos': [task]}}],
            'filters': {'refuse_seconds': 1.0},
        })
        self.tasks[task_id] = {'agent_id': offer['agent_id']['value'], 'allocation_info_sent': keep_allocation_info, 'resources': resources}
        self.report['accepts'].append({'task': task_id, 'status': answer['status'], 'body': answer['body'], 'content_length': answer['content_length']})

    def on_offers(self, offers):
        if 'first_offers' not in self.report:
            self.report['first_offers'] = offers
        to_decline = []
        for offer in offers:
            agent = offer['agent_id']['value']
            self.report['offers'].append({'phase': self.phase, 'agent': agent, 'idle_declined_before': agent in self.idle_declined})
            if 'with-allocation-info' not in self.tasks:
                self.launch(offer, 'with-allocation-info', True)
            elif 'without-allocation-info' not in self.tasks:
                self.launch(offer, 'without-allocation-info', False)
            else:
                to_decline.append(offer)
        if to_decline:
            answer = self.call('DECLINE', 'decline', {
                'offer_ids': [o['id'] for o in to_decline],
                'filters': {'refuse_seconds': 3600.0},
            })
            busy = {t['agent_id'] for t in self.tasks.values()}
            self.idle_declined.update(o['agent_id']['value'] for o in to_decline if o['agent_id']['value'] not in busy)
            self.report['declines'].append({'offers': len(to_decline), 'status': answer['status'], 'body': answer['body']})

    def pump(self, phase, done):
        """Handles events until done() holds; returns the events seen (bounded by WAIT_SECONDS)."""
        deadline = time.monotonic() + WAIT_SECONDS
        seen = []
        self.phase = phase
        while not done():
            event = self.pending.pop(0) if self.pending else self.stream.next_event(deadline)
            if event is None:
                raise WireError('stream ended during %s' % phase)
            seen.append(event)
            kind = event.get('type')
            if kind == 'OFFERS':
                self.on_offers(event['offers'].get('offers', []))
            elif kind == 'UPDATE':
                self.on_update(event['update']['status'], phase)
            elif kind == 'HEARTBEAT':
                self.heartbeats += 1
            elif kind == 'ERROR':
                raise WireError('ERROR event during %s: %s' % (phase, event.get('error')))
        return seen

    def reconciled(self, phase, task_ids):
        return {u['task'] for u in self.report['updates'] if u['phase'] == phase and u['reason'] == 'REASON_RECONCILIATION'} >= set(task_ids)

    # ---- the session ---------------------------------------------------------------------------

    def run(self):
        report = self.report
        report['subscribe'], first = self.subscribe_and_peek()
        report['subscribed'] = first
        self.framework_id = first['subscribed']['framework_id']['value']
        self.caller.stream_id = self.stream.header.get('mesos-stream-id')

        # Launch both tasks and see them run (terminal ACKs wait for the failover below).
        both = ['with-allocation-info', 'without-allocation-info']
        self.pump('launch', lambda: all(self.states.get(t) in {'TASK_RUNNING'} | TERMINAL for t in both))

        # Implicit reconciliation: the master's latest state of every task, no uuid.
        report['reconcile_implicit'] = self.call('RECONCILE', 'reconcile', {'tasks': []})
        self.pump('reconcile-implicit', lambda: self.reconciled('reconcile-implicit', both))
        # Explicit reconciliation of a task nobody launched, on a registered agent.
        agent = self.tasks['with-allocation-info']['agent_id']
        report['reconcile_explicit'] = self.call('RECONCILE', 'reconcile', {
            'tasks': [{'task_id': {'value': 'ghost'}, 'agent_id': {'value': agent}}]})
        self.pump('reconcile-explicit', lambda: self.reconciled('reconcile-explicit', ['ghost']))

        status, text = self.caller.get('/master/state')
        report['state'] = {'status': status, 'body': json.loads(text)}

        # Error answers a real master gives.
        report['errors'] = {
            'unknown_framework': self.caller.post({'type': 'RECONCILE', 'framework_id': {'value': 'no-such-framework'}, 'reconcile': {}}),
            'missing_stream_id': self.call('RECONCILE', 'reconcile', {}, stream_id=None),
            'bad_uuid': self.call('ACKNOWLEDGE', 'acknowledge', {
                'agent_id': {'value': agent}, 'task_id': {'value': 'x'}, 'uuid': base64.b64encode(b'short').decode()}),
            'get': self.caller.post(None, method='GET', content_type=None, stream_id=None),
            'no_content_type': self.caller.post({'type': 'TEARDOWN'}, content_type=None, stream_id=None),
            'text_plain': self.caller.post({'type': 'TEARDOWN'}, content_type='text/plain', stream_id=None),
            'bad_json': self.caller.post(None, raw_body='{not json', stream_id=None),
        }

        # The tasks end; their terminal updates stay unacknowledged across the failover below.
        self.pump('finish-held', lambda: all(self.states.get(t) == 'TASK_FINISHED' for t in both))
        report['held_terminal'] = [{'task': s['task_id']['value'], 'uuid': s['uuid']} for s in self.held_terminal]

        # Failover: the subscription socket goes away without a TEARDOWN.
        old_stream_id = self.caller.stream_id
        self.stream.close()
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            answer = self.call('RECONCILE', 'reconcile', {})
            if answer['status'] != 202 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        report['while_disconnected'] = answer
        report['resubscribe'], first = self.subscribe_and_peek()
        report['resubscribed'] = first
        self.caller.stream_id = self.stream.header.get('mesos-stream-id')
        report['stale_stream_id'] = self.call('RECONCILE', 'reconcile', {}, stream_id=old_stream_id)
        report['reconcile_after_failover'] = self.call('RECONCILE', 'reconcile', {'tasks': []})
        # The master answers for both tasks, and offers again the agent declined for an hour
        # before: a framework that disconnects loses its refusal filters.
        idle = set(self.idle_declined)
        report['idle_declined_agents'] = sorted(idle)
        self.pump('after-failover', lambda: self.reconciled('after-failover', both) and any(
            o['phase'] == 'after-failover' and o['agent'] in idle for o in report['offers']))

        # The terminal updates held back are acknowledged on the new stream with the uuid received
        # on the old one (the master may resend them too; a repeated ACK is ignored).
        self.hold_terminal_acks = False
        held, self.held_terminal = self.held_terminal, []
        for status in held:
            self.acknowledge(status)
        # Once acknowledged, terminal tasks move to completed_tasks in /master/state.
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            status, text = self.caller.get('/master/state')
            framework = [f for f in json.loads(text)['frameworks'] if f['id'] == self.framework_id][0]
            if not framework['tasks'] or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        report['state_after_acks'] = {
            'tasks': [t['id'] for t in framework['tasks']],
            'completed_tasks': sorted((t['id'], t['state']) for t in framework['completed_tasks']),
        }

        # TEARDOWN ends the framework: 202, then the stream ends.
        report['teardown'] = self.call('TEARDOWN')
        ended = None
        deadline = time.monotonic() + WAIT_SECONDS
        while ended is None:
            event = self.stream.next_event(deadline)
            if event is None:
                ended = {'clean': not getattr(self.stream, 'eof_without_terminator', False)}
        report['stream_end'] = ended
        self.stream.close()
        report['after_teardown'] = self.call('RECONCILE', 'reconcile', {})
        stream, head, first = self.subscribe()
        rest = stream.next_event(time.monotonic() + WAIT_SECONDS) if head['status'] == 200 else None
        stream.close()
        report['resubscribe_removed'] = {'head': head, 'first': first, 'then': rest}
        report['call_sockets'] = len(self.caller.sockets)
        report['heartbeats'] = self.heartbeats


def main():
    session = Session(sys.argv[1])
    try:
        session.run()
    except Exception as error:  # the report says what went wrong; the test prints it
        session.report['fatal'] = '%s: %s' % (type(error).__name__, error)
    print(json.dumps(session.report))


if __name__ == '__main__':
    main()
