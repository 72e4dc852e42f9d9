/// <reference lib="dom" />
/** Boots the UI: wires the store, the live event stream, the router and the views. */
import { runAppAction, runPodAction, type AppAction, type PodAction } from './actions.js';
import { MarathonClient } from './api.js';
import { AppView } from './app-view.js';
import { AppsView } from './apps-view.js';
import { DeploymentsView } from './deployments-view.js';
import { appHref, FrameScheduler, replaceChildren, setText } from './dom.js';
import { EditorView } from './editor-view.js';
import { ROOT_GROUP } from './group-tree.js';
import { LiveUpdates, type LiveState } from './live.js';
import { PodView } from './pod-view.js';
import { QueueView } from './queue-view.js';
import { parseRoute, type Route } from './router.js';
import { appsOfEvent } from './status.js';
import { Store } from './store.js';
import { serverTitle } from './server-title.js';
import { TaskLogsView } from './task-logs-view.js';

const api = new MarathonClient();
const store = new Store(api);
const outlet = document.getElementById('view')!;
const liveIndicator = document.getElementById('live')!;
const serverName = document.getElementById('server')!;
const deploymentCount = document.getElementById('deployment-count');

let route: Route = parseRoute(location.hash);
const frames = new FrameScheduler(render);

const appsView = new AppsView(store, () => frames.request(), api);
const appView = new AppView(store, api, {
  onAction: (action: AppAction) => void act(action),
  requestRender: () => frames.request(),
});
const deploymentsView = new DeploymentsView(store, api);
const queueView = new QueueView(store, api);
const taskLogsView = new TaskLogsView(api);
const podView = new PodView(store, { onAction: (action: PodAction) => void actOnPod(action) });
const editorView = new EditorView(api, {
  onSaved: (appId) => {
    location.hash = appHref(appId);
    void store.refreshNow();
  },
});

async function act(action: AppAction): Promise<void> {
  const app = store.detail?.app;
  if (app === undefined) return;
  const result = await runAppAction(api, action, app);
  if (result === undefined) return;
  if (action === 'destroy') location.hash = '#/apps';
  void store.refreshNow();
}

async function actOnPod(action: PodAction): Promise<void> {
  const pod = store.podDetail?.status;
  if (pod === undefined) return;
  const result = await runPodAction(api, action, pod);
  if (result === undefined) return;
  if (action.kind === 'destroy') location.hash = '#/apps';
  void store.refreshNow();
}

function render(): void {
  if (route.view === 'apps' || route.view === 'group') appsView.render();
  else if (route.view === 'app') appView.render();
  else if (route.view === 'pod') podView.render();
  else if (route.view === 'deployments') deploymentsView.render();
  else if (route.view === 'queue') queueView.render();
  renderHeader();
}

function renderHeader(): void {
  const info = store.info;
  if (info !== undefined) setText(serverName, serverTitle(info));
  if (deploymentCount !== null) {
    const running = store.deployments.length;
    deploymentCount.hidden = running === 0;
    setText(deploymentCount, String(running));
    deploymentCount.title = `${running} running`;
  }
}

function navigate(): void {
  route = parseRoute(location.hash);
  if (route.view !== 'task-logs') taskLogsView.close();
  document.querySelectorAll<HTMLAnchorElement>('header nav a').forEach((link) => {
    const current =
      (link.dataset.view === 'apps' && (route.view === 'apps' || route.view === 'app' || route.view === 'pod' || route.view === 'group')) ||
      link.dataset.view === route.view;
    if (current) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  });
  switch (route.view) {
    case 'apps':
      store.openApp(undefined);
      store.openPod(undefined);
      appsView.showGroup(ROOT_GROUP);
      replaceChildren(outlet, appsView.element);
      document.title = 'Applications · Pacer';
      break;
    case 'group':
      store.openApp(undefined);
      store.openPod(undefined);
      appsView.showGroup(route.groupId);
      replaceChildren(outlet, appsView.element);
      document.title = `${route.groupId} · Pacer`;
      break;
    case 'app':
      store.openPod(undefined);
      store.openApp(route.appId);
      replaceChildren(outlet, appView.element);
      document.title = `${route.appId} · Pacer`;
      break;
    case 'pod':
      store.openApp(undefined);
      store.openPod(route.podId);
      replaceChildren(outlet, podView.element);
      document.title = `${route.podId} · Pacer`;
      break;
    case 'deployments':
    case 'queue':
      store.openApp(undefined);
      store.openPod(undefined);
      replaceChildren(outlet, route.view === 'deployments' ? deploymentsView.element : queueView.element);
      document.title = `${route.view === 'deployments' ? 'Deployments' : 'Launch queue'} · Pacer`;
      void store.refreshNow();
      break;
    case 'task-logs':
      store.openApp(undefined);
      store.openPod(undefined);
      replaceChildren(outlet, taskLogsView.element);
      taskLogsView.open(route.taskId, route.file);
      document.title = `Logs of ${route.taskId} · Pacer`;
      break;
    case 'new':
    case 'edit':
      store.openApp(undefined);
      store.openPod(undefined);
      replaceChildren(outlet, editorView.element);
      void editorView.open(route.view === 'edit' ? route.appId : undefined);
      document.title = `${route.view === 'new' ? 'Create application' : `Edit ${route.appId}`} · Pacer`;
      break;
  }
  window.scrollTo(0, 0);
  frames.request();
}

const LIVE_LABELS: Record<LiveState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  polling: 'Reconnecting (refreshing every 10 s)',
};

const live = new LiveUpdates({
  onEvent: (event) => {
    store.request({ kind: 'overview' });
    // Pod events name instances and tasks in several shapes; an open pod page simply re-reads its status.
    const podId = store.podDetail?.podId;
    if (podId !== undefined) store.request({ kind: 'pod', podId });
    const detailId = store.detail?.appId;
    if (detailId === undefined) return;
    const apps = appsOfEvent(event);
    if (apps === undefined || apps.includes(detailId)) store.request({ kind: 'app', appId: detailId });
  },
  onStateChange: (state) => {
    liveIndicator.dataset.state = state;
    setText(liveIndicator, LIVE_LABELS[state]);
  },
  onPoll: () => void store.refreshNow(),
});

store.subscribe(() => frames.request());
window.addEventListener('hashchange', navigate);
window.addEventListener('scroll', () => frames.request(), { passive: true });
window.addEventListener('resize', () => frames.request());
document.addEventListener('keydown', (e) => {
  const typing = e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement || e.target instanceof HTMLSelectElement;
  if (e.key === '/' && !typing && (route.view === 'apps' || route.view === 'group')) {
    e.preventDefault();
    appsView.focusFilter();
  }
});

// Backoff countdowns tick locally; queue statistics change with every offer but emit no event,
// so a queued app's page re-reads the queue now and then.
let tick = 0;
setInterval(() => {
  tick++;
  // "started 2m ago" on the deployments page.
  if (route.view === 'deployments' && tick % 10 === 0) frames.request();
  if (route.view === 'queue') {
    if (queueView.counting) frames.request();
    if (tick % 5 === 0) store.request({ kind: 'overview' });
    return;
  }
  if (route.view !== 'app') return;
  if (appView.counting) frames.request();
  if ((appView.queued || appView.deploying) && tick % 5 === 0) store.request({ kind: 'overview' });
}, 1000);

const themeToggle = document.getElementById('theme-toggle');
themeToggle?.addEventListener('click', () => {
  const root = document.documentElement;
  const dark = root.dataset.theme === 'dark' || (root.dataset.theme === undefined && matchMedia('(prefers-color-scheme: dark)').matches);
  root.dataset.theme = dark ? 'light' : 'dark';
  try {
    localStorage.setItem('pacer-theme', root.dataset.theme);
  } catch {
    // Storage may be disabled; the choice then lasts for this page only.
  }
});

navigate();
live.start();
void store.loadInfo();
void store.refreshNow();
