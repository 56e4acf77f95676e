// The application: tabs of terminal views over one connection, with the status bar, key bar and search box.
import type { FramePacer, SessionInfo, SessionKind } from "@porthole/protocol";
import { endedKeyAction } from "./ended-input.js";
import { restartRequestId } from "./restart-request.js";
import { describeError, isConnectionLost } from "./errors.js";
import { KeyBar } from "./key-bar.js";
import { KeysHelp } from "./keys-help.js";
import { SearchBox } from "./search-box.js";
import {
  describeStatus,
  SKIP_NOTICE_MS,
  StatusBar,
  type StatusAction,
  type StatusModel,
  type Tone,
} from "./status-bar.js";
import {
  loadTabs,
  parseTabs,
  reconcileTabs,
  saveTabs,
  tabKeyOf,
  tabsKey,
  type StoredTab,
  type StoredTabs,
} from "./tab-store.js";
import {
  isDefaultTitle,
  nameOf,
  newTabTitle,
  personName,
  shownTitle,
  tabTooltip,
} from "./tab-title.js";
import { TabBar, type TabItem } from "./tabs.js";
import { isEnded, isLive, TerminalView, type Size, type ViewState } from "./terminal-view.js";
import type { Connection, ConnectionStatus } from "./trpc.js";

/** How often the round trip to the server is measured while connected. */
export const LATENCY_PROBE_MS = 5_000;

/** Size used before anything could be measured. */
const FALLBACK_SIZE: Size = { cols: 80, rows: 24 };

/** Tries of session.create across dropped connections (the request id keeps it to one session). */
const CREATE_ATTEMPTS = 3;

/** Settings of the App. */
export interface AppOptions {
  root: HTMLElement;
  connection: Connection;
  /** This page load's client id. */
  clientId: string;
  /** Names this credential's tab list in storage (see tokenScope). */
  scope: string;
  /** Where the tab list is remembered (localStorage). */
  storage: Pick<Storage, "getItem" | "setItem">;
  renderer?: "webgl" | "dom";
  /** The page's frame pacer, told about every terminal's output. */
  framePacer?: FramePacer;
}

interface Tab {
  /** The same in every window showing the tab, through restarts (see StoredTab.key). */
  key: string;
  view: TerminalView;
  /** When its title was given by a rename, as far as this window knows (see StoredTab). */
  titledAt: number;
}

function toneOf(state: ViewState, live: boolean): Tone {
  switch (state.kind) {
    case "exited":
      return "off";
    case "error":
      return "bad";
    case "running":
      return live ? "ok" : "warn";
    default:
      return "busy";
  }
}

/**
 * Owns the page once a token is known: the tab bar on top, the terminals in the middle, the key
 * bar and status bar below. Tabs are remembered per credential and reconciled with the server's
 * session list on start.
 */
export class App {
  readonly #options: AppOptions;
  readonly #area: HTMLElement;
  readonly #empty: HTMLElement;
  readonly #tabBar: TabBar;
  readonly #statusBar: StatusBar;
  readonly #keyBar: KeyBar;
  readonly #searchBox: SearchBox;
  readonly #keysHelp: KeysHelp;
  #tabs: Tab[] = [];
  #active: Tab | null = null;
  #size: Size | null = null;
  #connection: ConnectionStatus;
  #latencyMs: number | null = null;
  #probing = false;
  #renderQueued = false;
  #fitQueued = false;
  #disposed = false;
  /** The remembered tabs were opened (see restore): tabs other windows open may follow. */
  #restored = false;
  /**
   * The tab list another window saved last: a tab whose session ends here after that window
   * restarted it (this one heard of the end late) follows the restart then.
   */
  #fromOthers: StoredTabs | null = null;
  /** Views typed into after their session ended: the status bar says what Enter does there. */
  readonly #typedAfterEnd = new WeakSet<TerminalView>();
  /**
   * Ended tabs where Enter was pressed while the server did not answer: they restart as soon as it
   * does, as the line in their terminal promised ("Enter restarts once the server is back").
   */
  readonly #restartWhenBack = new Set<Tab>();
  readonly #cleanups: (() => void)[] = [];

  constructor(options: AppOptions) {
    this.#options = options;
    this.#connection = options.connection.status.get();
    this.#tabBar = new TabBar({
      select: (key) => this.#activate(this.#tab(key)),
      close: (key) => void this.#close(this.#tab(key)),
      rename: (key, title) => void this.#rename(this.#tab(key), title),
      renameDone: () => this.#active?.view.focus(),
      create: (kind) => void this.createSession(kind),
      help: () => this.#keysHelp.toggle(),
    });
    this.#statusBar = new StatusBar((action) => this.#onStatusAction(action));
    this.#keyBar = new KeyBar(() => this.#active?.view ?? null);
    this.#searchBox = new SearchBox(() => this.#active?.view ?? null);
    this.#keysHelp = new KeysHelp(() => this.#active?.view.focus());
    this.#area = document.createElement("main");
    this.#area.className = "terminal-area";
    this.#empty = document.createElement("div");
    this.#empty.className = "empty-state";
    this.#empty.hidden = true;
    this.#empty.textContent =
      "No sessions open. Start a shell or Claude Code with the buttons above.";
    this.#area.append(this.#empty, this.#searchBox.element, this.#keysHelp.element);
    const shell = document.createElement("div");
    shell.className = "app";
    shell.append(this.#tabBar.element, this.#area, this.#keyBar.element, this.#statusBar.element);
    options.root.replaceChildren(shell);

    const observer = new ResizeObserver(() => this.#scheduleFit());
    observer.observe(this.#area);
    this.#cleanups.push(() => observer.disconnect());

    const unsubscribe = options.connection.status.subscribe((status) => this.#onConnection(status));
    this.#cleanups.push(unsubscribe);

    // A page shown again may have a skip notice to start showing.
    const onVisibility = () => this.#scheduleRender();
    document.addEventListener("visibilitychange", onVisibility);
    this.#cleanups.push(() => document.removeEventListener("visibilitychange", onVisibility));

    // Countdown while reconnecting; a skip notice goes once its time is up.
    const ticker = setInterval(() => {
      const skip = this.#active?.view.lastSkip ?? null;
      const skipEnding = skip?.at != null && Date.now() - skip.at < SKIP_NOTICE_MS + 1000;
      if (this.#connection.kind === "connecting" || skipEnding) this.#scheduleRender();
    }, 500);
    const prober = setInterval(() => void this.#probeLatency(), LATENCY_PROBE_MS);
    this.#cleanups.push(() => {
      clearInterval(ticker);
      clearInterval(prober);
    });

    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented) return;
      if (event.ctrlKey && event.shiftKey && !event.altKey && event.code === "KeyF") {
        event.preventDefault();
        this.#searchBox.open();
      }
    };
    window.addEventListener("keydown", onKey);
    this.#cleanups.push(() => window.removeEventListener("keydown", onKey));

    // Another window of this browser saved the tab list: sessions it opened appear here too. The
    // list as that window saved it, not as it is now: a window that has not heard of a restart yet
    // may have saved its older list since, and the restart would go unseen.
    const onStorage = (event: StorageEvent) => {
      if (event.key !== tabsKey(options.scope) || event.newValue === null) return;
      this.#fromOthers = parseTabs(event.newValue);
      void this.#addTabsFrom(this.#fromOthers);
    };
    window.addEventListener("storage", onStorage);
    this.#cleanups.push(() => window.removeEventListener("storage", onStorage));
    this.#render();
  }

  /** The tab in front, if any. */
  get activeView(): TerminalView | null {
    return this.#active?.view ?? null;
  }

  /** Every tab's view, in tab order. */
  get views(): TerminalView[] {
    return this.#tabs.map((tab) => tab.view);
  }

  /** What the status bar shows now. */
  get status(): StatusModel {
    return this.#statusModel();
  }

  /** The connection's state as last reported. */
  get connectionStatus(): ConnectionStatus {
    return this.#connection;
  }

  /**
   * Opens the remembered tabs whose sessions the server still has (and any others it has for this
   * credential); starts a shell when there are none.
   */
  async start(): Promise<void> {
    const stored = loadTabs(this.#options.storage, this.#options.scope);
    let live: SessionInfo[];
    try {
      live = await this.#options.connection.api.session.list.query();
    } catch (error) {
      if (this.#disposed || this.#connection.kind === "unauthorized") return;
      // The list could not be fetched: keep the remembered tabs; each finds out for itself.
      console.warn(`porthole: could not list sessions: ${describeError(error).message}`);
      live = stored.tabs.map((tab) => ({
        id: tab.sessionId,
        title: tab.title,
        kind: tab.kind,
        provider: "local",
        isolation: "none",
        state: "running",
        cols: FALLBACK_SIZE.cols,
        rows: FALLBACK_SIZE.rows,
        createdAt: 0,
        outputBytes: 0,
        attached: 0,
        exit: null,
      }));
    }
    if (this.#disposed) return;
    const tabs = reconcileTabs(stored, live);
    const remembered = new Map(stored.tabs.map((tab) => [tab.sessionId, tab]));
    const sizes = new Map(
      live.map((session) => [session.id, { cols: session.cols, rows: session.rows }]),
    );
    const opened: { tab: Tab; sessionId: string }[] = [];
    for (const stored of tabs.tabs) {
      const tab = this.#addTab(stored.kind, stored.title, tabKeyOf(stored));
      tab.titledAt = remembered.get(stored.sessionId)?.titledAt ?? 0;
      tab.view.setSize(sizes.get(stored.sessionId) ?? FALLBACK_SIZE);
      opened.push({ tab, sessionId: stored.sessionId });
    }
    const front = opened.find((entry) => entry.sessionId === tabs.active) ?? opened[0];
    this.#restored = true;
    if (!front) {
      await this.createSession("shell");
      return;
    }
    this.#activate(front.tab);
    this.#fitNow();
    for (const { tab, sessionId } of opened) tab.view.attach(sessionId);
    this.#save();
  }

  /**
   * Adds a background tab for each remembered session this window does not show and the server
   * still runs (another window opened it; one closed here and still remembered there stays
   * closed), and takes the titles given there. Tabs are not taken away: a session closed
   * elsewhere ends here as its events say. A tab this window shows too (same key) whose session
   * ended here and that now names another running session was restarted there: it follows, in
   * its place, instead of a tab being added for the new session.
   */
  async #addTabsFrom(stored: StoredTabs): Promise<void> {
    if (this.#restored) this.#retitleFrom(stored);
    if (!this.#restored || !stored.tabs.some((remembered) => this.#news(remembered))) return;
    let live: SessionInfo[];
    try {
      live = await this.#options.connection.api.session.list.query();
    } catch {
      return; // The next change or a reload tries again.
    }
    if (this.#disposed) return;
    const running = new Set(
      live
        .filter((session) => session.state === "running" || session.state === "starting")
        .map((session) => session.id),
    );
    // Looked at again: tabs may have come, or moved, meanwhile (an earlier event's call).
    let changed = false;
    for (const remembered of stored.tabs) {
      if (!running.has(remembered.sessionId) || !this.#news(remembered)) continue;
      const same = this.#tab(tabKeyOf(remembered));
      if (same) {
        this.#typedAfterEnd.delete(same.view);
        same.view.attach(remembered.sessionId, { followSize: true });
      } else {
        const tab = this.#addTab(remembered.kind, remembered.title, tabKeyOf(remembered));
        tab.titledAt = remembered.titledAt ?? 0;
        tab.view.setSize(this.#size ?? FALLBACK_SIZE);
        tab.view.attach(remembered.sessionId);
      }
      changed = true;
    }
    if (changed) this.#save();
  }

  /**
   * Whether a remembered tab tells this window something to open: a session no tab here shows, in
   * a tab this window lacks, or in one of its own whose session ended (or is being restarted
   * here: the first restart wins, see #startSession). A tab here on a session that still runs
   * keeps it: the list naming another came from a window that had not heard of a restart yet.
   */
  #news(remembered: StoredTab): boolean {
    if (this.#tabs.some((tab) => tab.view.sessionId === remembered.sessionId)) return false;
    const same = this.#tab(tabKeyOf(remembered));
    if (!same) return true;
    const state = same.view.state;
    return isEnded(state) || (state.kind === "creating" && same.view.sessionId !== null);
  }

  /**
   * Takes the titles another window gave tabs this one shows too, when given after this window's
   * own: a window saving its list before it heard of a rename must not undo the rename.
   */
  #retitleFrom(stored: StoredTabs): void {
    for (const remembered of stored.tabs) {
      const tab = this.#tab(tabKeyOf(remembered));
      const titledAt = remembered.titledAt ?? 0;
      if (!tab || titledAt <= tab.titledAt) continue;
      tab.titledAt = titledAt;
      if (tab.view.title !== remembered.title) tab.view.setTitle(remembered.title);
    }
  }

  /** Opens a new tab with a new session of `kind`. */
  async createSession(kind: SessionKind): Promise<void> {
    const tab = this.#addTab(
      kind,
      newTabTitle(
        kind,
        this.#tabs.map((other) => other.view.title),
      ),
    );
    this.#activate(tab);
    await this.#startSession(tab);
  }

  /** Stops everything (the token was refused, or the page goes away). */
  dispose(): void {
    this.#disposed = true;
    for (const cleanup of this.#cleanups) cleanup();
    for (const tab of this.#tabs) tab.view.dispose();
    this.#tabs = [];
    this.#active = null;
  }

  async #startSession(tab: Tab): Promise<void> {
    // The ended session of a tab being restarted (null for a new tab).
    const before = tab.view.sessionId;
    const size = this.#fitNow() ?? this.#size ?? FALLBACK_SIZE;
    tab.view.setSize(size);
    try {
      // Resent with the same request id after a dropped connection, so it makes one session. A
      // restart's id is the ended session's: windows restarting one tab at once (each pressed
      // Enter, or reconnected with an Enter waiting) get one session for it from the server.
      const request = {
        cols: size.cols,
        rows: size.rows,
        kind: tab.view.kind,
        title: tab.view.title,
        requestId: restartRequestId(before) ?? `create-${crypto.randomUUID()}`,
      };
      let info;
      for (let attempt = 1; ; attempt++) {
        try {
          info = await this.#options.connection.api.session.create.mutate(request);
          break;
        } catch (error) {
          if (attempt >= CREATE_ATTEMPTS || !isConnectionLost(error) || this.#disposed) throw error;
        }
      }
      // Another window's restart of this tab, which it follows already (#addTabsFrom).
      if (tab.view.sessionId === info.id) return;
      if (this.#disposed || !this.#tabs.includes(tab) || tab.view.sessionId !== before) {
        // The tab was closed while the session started: it has no place to go. Or another window
        // restarted it first and it follows that session (#addTabsFrom): one session per tab.
        void this.#options.connection.api.session.close
          .mutate({ sessionId: info.id })
          .catch(() => {});
        return;
      }
      tab.view.setTitle(info.title);
      tab.view.attach(info.id);
      this.#save();
    } catch (error) {
      // Another window restarted the tab meanwhile: it shows that session, not this failure. A
      // disposed app (its token refused) keeps the saved tab list as it was.
      if (this.#disposed || tab.view.sessionId !== before) return;
      const problem = describeError(error);
      tab.view.fail(problem.code, `Could not start a session: ${problem.message}`);
    }
  }

  #addTab(kind: SessionKind, title: string, key = `tab-${crypto.randomUUID()}`): Tab {
    const view = new TerminalView({
      api: this.#options.connection.api,
      clientId: this.#options.clientId,
      kind,
      title,
      renderer: this.#options.renderer,
      framePacer: this.#options.framePacer,
      onChange: () => this.#onViewChange(view),
      onFind: () => this.#searchBox.open(),
      transformInput: (data) => this.#keyBar.consume(data),
      onEndedInput: (data) => this.#onEndedInput(tab, data),
    });
    if (this.#size) view.setSize(this.#size);
    const tab: Tab = { key, view, titledAt: 0 };
    this.#tabs.push(tab);
    this.#area.insertBefore(view.element, this.#searchBox.element);
    this.#scheduleRender();
    return tab;
  }

  #tab(key: string): Tab | null {
    return this.#tabs.find((tab) => tab.key === key) ?? null;
  }

  #activate(tab: Tab | null): void {
    if (!tab) return;
    const previous = this.#active;
    this.#active = tab;
    if (previous && previous !== tab) previous.view.hide();
    tab.view.show();
    this.#fitNow();
    tab.view.focus();
    if (this.#searchBox.isOpen) this.#searchBox.close();
    this.#latencyMs = null;
    void this.#probeLatency();
    this.#save();
    this.#render();
  }

  async #close(tab: Tab | null): Promise<void> {
    if (!tab) return;
    const index = this.#tabs.indexOf(tab);
    if (index === -1) return;
    this.#tabs.splice(index, 1);
    this.#restartWhenBack.delete(tab);
    const sessionId = tab.view.sessionId;
    tab.view.dispose();
    if (this.#active === tab) {
      this.#active = null;
      this.#activate(this.#tabs[Math.min(index, this.#tabs.length - 1)] ?? null);
    }
    this.#save();
    this.#render();
    if (sessionId) {
      try {
        await this.#options.connection.api.session.close.mutate({ sessionId });
      } catch {
        // Already gone (ended, or closed elsewhere): nothing left to do.
      }
    }
  }

  /**
   * Names a tab as a person typed it (a name that reads as the app's is marked as a person's, see
   * personName); "" gives it back a default name, under which it shows its program's title.
   */
  async #rename(tab: Tab | null, typed: string): Promise<void> {
    const sessionId = tab?.view.sessionId;
    if (!tab || !sessionId) return;
    let title = personName(tab.view.kind, typed);
    if (title === tab.view.title) return;
    if (title === "") {
      if (isDefaultTitle(tab.view.kind, tab.view.title)) return;
      title = newTabTitle(
        tab.view.kind,
        this.#tabs.filter((other) => other !== tab).map((other) => other.view.title),
      );
    }
    // Later than any title the other windows know: theirs, saved before they hear of it, lose.
    tab.titledAt = Math.max(Date.now(), tab.titledAt + 1);
    tab.view.setTitle(title);
    this.#save();
    try {
      const info = await this.#options.connection.api.session.rename.mutate({ sessionId, title });
      tab.view.setTitle(info.title);
      this.#save();
    } catch (error) {
      console.warn(`porthole: rename failed: ${describeError(error).message}`);
    }
  }

  #onStatusAction(action: StatusAction): void {
    if (action === "retry") {
      this.#options.connection.retryNow();
      this.#active?.view.focus();
      return;
    }
    const tab = this.#active;
    if (!tab) return;
    if (action === "close") {
      void this.#close(tab);
      return;
    }
    void this.#restart(tab);
  }

  /**
   * Starts a new session of the same kind in the tab, which keeps the keyboard (the button took
   * it). The ended session is closed: the server lists it until it lingers out, and a reload would
   * bring it back as a tab of its own.
   */
  async #restart(tab: Tab): Promise<void> {
    // A second click or Enter while the first restart runs would start a second session.
    this.#restartWhenBack.delete(tab);
    if (!isEnded(tab.view.state)) return;
    const ended = tab.view.sessionId;
    this.#typedAfterEnd.delete(tab.view);
    tab.view.restarting();
    // A restart waiting for the server may come when another tab is in front: that one keeps it.
    if (tab === this.#active) tab.view.focus();
    await this.#startSession(tab);
    if (!ended || ended === tab.view.sessionId) return;
    try {
      await this.#options.connection.api.session.close.mutate({ sessionId: ended });
    } catch {
      // Already gone: it lingered out, or was closed elsewhere.
    }
  }

  /**
   * Typing in a tab whose session ended: Enter restarts it as the Restart button does (only when
   * that is offered), other keys bring up the hint rather than vanish without a trace.
   */
  #onEndedInput(tab: Tab, data: string): void {
    if (tab !== this.#active) return;
    const canRestart = this.#statusModel().actions.includes("restart");
    if (endedKeyAction(data, canRestart) === "ignore") return;
    // A modifier armed on the key bar goes with this key, not with the new session's first.
    const typed = this.#keyBar.consume(data);
    switch (endedKeyAction(typed, canRestart)) {
      case "restart":
        void this.#restart(tab);
        return;
      case "hint":
        // Enter while the server is away: it restarts the tab once the server is back.
        if (typed === "\r" && !canRestart) this.#restartWhenBack.add(tab);
        if (this.#typedAfterEnd.has(tab.view)) this.#statusBar.nudgeHint();
        this.#typedAfterEnd.add(tab.view);
        this.#scheduleRender();
        return;
      case "ignore":
        return;
    }
  }

  #onConnection(status: ConnectionStatus): void {
    this.#connection = status;
    if (status.kind !== "open") {
      this.#latencyMs = null;
      for (const tab of this.#tabs) tab.view.connectionLost();
    } else {
      void this.#probeLatency();
      for (const tab of [...this.#restartWhenBack]) {
        if (this.#tabs.includes(tab)) void this.#restart(tab);
      }
      this.#restartWhenBack.clear();
    }
    this.#scheduleRender();
  }

  #onViewChange(view: TerminalView): void {
    const others = this.#fromOthers;
    if (others && isEnded(view.state)) {
      const tab = this.#tabs.find((candidate) => candidate.view === view);
      const there = others.tabs.find((remembered) => tabKeyOf(remembered) === tab?.key);
      if (there && there.sessionId !== view.sessionId) void this.#addTabsFrom(others);
    }
    if (view === this.#active?.view) {
      // Show the round trip as soon as the session runs, not only at the next probe.
      if (this.#latencyMs === null && view.state.kind === "running" && view.live)
        void this.#probeLatency();
    }
    this.#save();
    this.#scheduleRender();
  }

  async #probeLatency(): Promise<void> {
    const view = this.#active?.view;
    const sessionId = view?.sessionId;
    if (!view || !sessionId || this.#connection.kind !== "open" || view.state.kind !== "running")
      return;
    if (this.#probing) return;
    this.#probing = true;
    const started = performance.now();
    try {
      const info = await this.#options.connection.api.session.get.query({ sessionId });
      if (this.#active?.view !== view) return;
      this.#latencyMs = performance.now() - started;
      if (info.title !== view.title) view.setTitle(info.title);
      this.#scheduleRender();
    } catch {
      // The subscription reports what is wrong with the session.
    } finally {
      this.#probing = false;
    }
  }

  #scheduleFit(): void {
    if (this.#fitQueued) return;
    this.#fitQueued = true;
    requestAnimationFrame(() => {
      this.#fitQueued = false;
      this.#fitNow();
    });
  }

  /** Fits the front terminal to its box and gives every tab that size. */
  #fitNow(): Size | null {
    const size = this.#active?.view.measure() ?? null;
    if (!size) return null;
    this.#size = size;
    for (const tab of this.#tabs) tab.view.setSize(size);
    return size;
  }

  #save(): void {
    const tabs: StoredTabs = {
      tabs: this.#tabs.flatMap((tab) =>
        tab.view.sessionId
          ? [
              {
                key: tab.key,
                sessionId: tab.view.sessionId,
                kind: tab.view.kind,
                title: tab.view.title,
                ...(tab.titledAt > 0 ? { titledAt: tab.titledAt } : {}),
              },
            ]
          : [],
      ),
      active: this.#active?.view.sessionId ?? null,
    };
    saveTabs(this.#options.storage, this.#options.scope, tabs);
  }

  #statusModel(): StatusModel {
    const view = this.#active?.view;
    return describeStatus({
      connection: this.#connection,
      view: view ? { state: view.state, live: view.live } : null,
      latencyMs: this.#latencyMs,
      now: Date.now(),
      typedAfterEnd: view ? this.#typedAfterEnd.has(view) : false,
      restartPending: this.#active !== null && this.#restartWhenBack.has(this.#active),
      skip: view?.lastSkip ?? null,
      pendingTyping: view?.pendingTyping ?? 0,
    });
  }

  #scheduleRender(): void {
    if (this.#renderQueued) return;
    this.#renderQueued = true;
    queueMicrotask(() => {
      this.#renderQueued = false;
      if (!this.#disposed) this.#render();
    });
  }

  #render(): void {
    const items: TabItem[] = this.#tabs.map((tab) => ({
      key: tab.key,
      sessionId: tab.view.sessionId,
      title: shownTitle(tab.view),
      name: nameOf(tab.view.title),
      named: !isDefaultTitle(tab.view.kind, tab.view.title),
      tooltip: tabTooltip(tab.view),
      kind: tab.view.kind,
      tone: toneOf(tab.view.state, tab.view.live && this.#connection.kind === "open"),
      active: tab === this.#active,
      running: isLive(tab.view.state),
    }));
    this.#tabBar.render(items);
    this.#empty.hidden = this.#tabs.length > 0;
    // The window's title names the tab in front as its tab does: set on every redraw, as a
    // switch, a rename or the program's title changes it.
    document.title = this.#active ? `${shownTitle(this.#active.view)} · Porthole` : "Porthole";
    const view = this.#active?.view ?? null;
    // A skip notice counts its time from when it can be read: its tab in front, the page shown.
    if (view?.lastSkip && view.lastSkip.at === null && !document.hidden)
      view.lastSkip.at = Date.now();
    this.#statusBar.render(
      this.#statusModel(),
      view?.size ?? null,
      view?.renderer ?? null,
      view?.ownSize ?? null,
    );
  }
}
