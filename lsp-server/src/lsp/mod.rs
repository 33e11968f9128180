//! `perfi lsp`: the language server. Handlers run on tokio; they touch the
//! document store synchronously and read `FileView`s the analysis thread
//! publishes (see `worker.rs`). No engine object crosses threads.

pub mod config;
pub mod documents;
pub mod framing;
pub mod hover;
pub mod interface_cache;
pub mod pool;
pub mod render;
pub mod rpc_client;
pub mod view;
pub mod worker;

use self::config::Settings;
use self::hover::{hover_at, hover_from_older};
use self::documents::{byte_range, byte_to_position, position_to_byte, DocumentStore, Encoding};
use self::view::{FileView, Mark, Severity};
use self::worker::{AnalyzeReq, Event, Msg, Progress, WorkerHandle};
use dashmap::DashMap;
use serde::Deserialize;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::ExitCode;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService, Server};

/// How long a request waits for the analysis of the current text.
const WAIT: Duration = Duration::from_secs(30);

pub const COMMANDS: [&str; 3] = ["perfi.showInterface", "perfi.pinBaseline", "perfi.exportPython"];

#[derive(clap::Args)]
pub struct Args {
    /// Accepted for editors that pass it; stdio is the only transport.
    #[arg(long)]
    pub stdio: bool,
}

pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let code = rt.block_on(serve(tokio::io::stdin(), tokio::io::stdout()))?;
    // A blocking read of stdin may still be pending; do not wait for it.
    rt.shutdown_timeout(Duration::from_millis(100));
    Ok(code)
}

/// Serve one client over a pair of streams until `exit` or end of input.
pub async fn serve<I, O>(input: I, output: O) -> anyhow::Result<ExitCode>
where
    I: tokio::io::AsyncRead + Unpin,
    O: tokio::io::AsyncWrite,
{
    let (etx, erx) = tokio::sync::mpsc::unbounded_channel();
    let worker = worker::spawn(etx)?;
    let (service, socket) = LspService::build(|client| Backend::new(client, worker.clone()))
        .custom_method("perfi/interface", Backend::interface)
        .custom_method(framing::MALFORMED, Backend::malformed)
        .finish();
    let shared = service.inner().s.clone();
    let pump = tokio::spawn(pump(shared.clone(), erx));
    // The transport gives up at the first undecodable message: it reads
    // checked, reframed messages instead (see framing.rs).
    let (checked, to_server) = tokio::io::duplex(1 << 20);
    // Never completes: at the end of the input it drops `checked`, which
    // ends the server's input, and the server's end ends the select.
    let relay = async move {
        let _ = framing::relay(input, checked).await;
        std::future::pending::<()>().await
    };
    // Handlers that wait for an analysis must not hold up `didChange`.
    let serve = Server::new(to_server, output, socket).concurrency_level(64).serve(service);
    tokio::select! {
        _ = serve => {}
        _ = relay => {}
    }
    pump.abort();
    worker.versions.cancel_all();
    worker.send(Msg::Shutdown);
    Ok(if shared.shutdown.load(Ordering::SeqCst) { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

#[derive(Clone, Copy, Default)]
struct ClientCaps {
    progress: bool,
    inlay_refresh: bool,
    lens_refresh: bool,
    /// `workspace/configuration`: settings are pulled from the client.
    configuration: bool,
    /// `workspace/didChangeConfiguration` can be registered dynamically.
    config_registration: bool,
}

struct State {
    encoding: Encoding,
    settings: Arc<Settings>,
    root: Option<PathBuf>,
    caps: ClientCaps,
}

pub struct Shared {
    client: Client,
    docs: DocumentStore,
    worker: WorkerHandle,
    views: DashMap<String, Arc<FileView>>,
    tick: tokio::sync::watch::Sender<u64>,
    state: RwLock<State>,
    shutdown: AtomicBool,
    progress: tokio::sync::mpsc::UnboundedSender<Progress>,
    progress_rx: std::sync::Mutex<Option<tokio::sync::mpsc::UnboundedReceiver<Progress>>>,
}

pub struct Backend {
    s: Arc<Shared>,
}

fn internal(msg: impl Into<String>) -> Error {
    Error { code: ErrorCode::InternalError, message: msg.into().into(), data: None }
}

fn not_open(uri: &str) -> Error {
    Error::invalid_params(format!("document not open: {uri}"))
}

/// Run the synchronous part of a handler; a panic becomes an error reply.
fn guard<T>(what: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => {
            let m = p.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| p.downcast_ref::<String>().cloned()).unwrap_or_default();
            Err(internal(format!("internal error in {what}: {m}")))
        }
    }
}

fn uri_path(uri: &Uri) -> PathBuf {
    match uri.to_file_path() {
        Some(p) => p.into_owned(),
        None => PathBuf::from(uri.path().as_str()),
    }
}

fn is_c_document(uri: &Uri, language_id: &str) -> bool {
    matches!(language_id, "c" | "cpp" | "objc") || {
        let p = uri.path().as_str();
        p.ends_with(".c") || p.ends_with(".h")
    }
}

/// Pull the `perfi` section with `workspace/configuration` and make it the
/// settings (see `Settings::replaced`). Some(changed), or None when the
/// client has no such section (or did not answer).
async fn pull_settings(s: &Shared) -> Option<bool> {
    let items = vec![ConfigurationItem { scope_uri: None, section: Some("perfi".into()) }];
    let value = match s.client.configuration(items).await {
        Ok(v) => v.into_iter().next().unwrap_or(Value::Null),
        Err(e) => {
            s.client.log_message(MessageType::WARNING, format!("perfi: workspace/configuration failed: {}", e.message)).await;
            return None;
        }
    };
    let r = match s.state.write() {
        Ok(mut st) => match st.settings.replaced(&value) {
            Ok(Some(new)) => {
                let changed = new != *st.settings;
                st.settings = Arc::new(new);
                Ok(Some(changed))
            }
            Ok(None) => Ok(None),
            Err(e) => Err(e),
        },
        Err(_) => Ok(None),
    };
    match r {
        Ok(changed) => changed,
        Err(e) => {
            // An invalid value: reported, the settings stay as they were.
            s.client.show_message(MessageType::WARNING, format!("perfi: {e:#}")).await;
            Some(false)
        }
    }
}

/// A diagnostic's related messages, each at the diagnostic's own range.
fn related_info(v: &FileView, d: &view::DiagView, enc: Encoding) -> Option<Vec<DiagnosticRelatedInformation>> {
    let uri = Uri::from_str(&v.uri).ok()?;
    if d.related.is_empty() {
        return None;
    }
    let range = byte_range(&v.rope, d.start, d.end, enc);
    Some(d.related.iter().map(|m| DiagnosticRelatedInformation { location: Location { uri: uri.clone(), range }, message: m.clone() }).collect())
}

impl Shared {
    fn encoding(&self) -> Encoding {
        self.state.read().map(|s| s.encoding).unwrap_or(Encoding::Utf16)
    }
    fn settings(&self) -> Arc<Settings> {
        self.state.read().map(|s| s.settings.clone()).unwrap_or_default()
    }
    fn caps(&self) -> ClientCaps {
        self.state.read().map(|s| s.caps).unwrap_or_default()
    }

    fn schedule(&self, uri: &str, edit_byte: Option<usize>) {
        let Some(doc) = self.docs.get(uri) else { return };
        let Ok(parsed) = Uri::from_str(uri) else { return };
        self.worker.versions.edited(uri, doc.version);
        self.worker.send(Msg::Analyze(AnalyzeReq {
            uri: uri.to_string(),
            path: uri_path(&parsed),
            version: doc.version,
            rope: doc.rope,
            edit_byte,
            settings: self.settings(),
            at: Instant::now(),
        }));
    }

    fn schedule_all(&self) {
        for u in self.docs.uris() {
            self.schedule(&u, None);
        }
    }

    /// The view of the document's current version (or newer), waiting for
    /// the analysis; after `WAIT`, the latest view there is.
    async fn view_for(&self, uri: &str) -> Result<Arc<FileView>> {
        self.view_when(uri, false).await
    }

    /// As `view_for`, and with `full` one where every function has an
    /// interface (not a view published while a file just opened is being
    /// analyzed).
    async fn view_when(&self, uri: &str, full: bool) -> Result<Arc<FileView>> {
        let Some(version) = self.docs.version(uri) else { return Err(not_open(uri)) };
        let mut rx = self.tick.subscribe();
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            if let Some(v) = self.views.get(uri).map(|v| v.clone()) {
                if v.version >= version && (!full || v.missing == 0) {
                    return Ok(v);
                }
            }
            if self.docs.version(uri).is_none() {
                return Err(not_open(uri));
            }
            match tokio::time::timeout_at(deadline, rx.changed()).await {
                Ok(Ok(())) => continue,
                _ => break,
            }
        }
        self.views.get(uri).map(|v| v.clone()).ok_or_else(|| internal(format!("the analysis of {uri} has not finished")))
    }

    async fn on_view(&self, v: Arc<FileView>) {
        if self.docs.version(&v.uri).is_none() {
            return;
        }
        self.views.insert(v.uri.clone(), v.clone());
        self.tick.send_modify(|t| *t += 1);
        // Never publish for a version the editor has moved past.
        if self.docs.version(&v.uri) != Some(v.version) {
            return;
        }
        let enc = self.encoding();
        let diags: Vec<Diagnostic> = v
            .diagnostics
            .iter()
            .map(|d| Diagnostic {
                range: byte_range(&v.rope, d.start, d.end, enc),
                severity: Some(match d.severity {
                    Severity::Warning => DiagnosticSeverity::WARNING,
                    Severity::Information => DiagnosticSeverity::INFORMATION,
                }),
                code: Some(NumberOrString::String(d.code.to_string())),
                source: Some("perfi".into()),
                message: d.message.clone(),
                related_information: related_info(&v, d, enc),
                ..Default::default()
            })
            .collect();
        if let Ok(uri) = Uri::from_str(&v.uri) {
            self.client.publish_diagnostics(uri, diags, Some(v.version)).await;
        }
        let caps = self.caps();
        // Views of a file being analyzed (functions missing) refresh too:
        // the editor shows interfaces as they come.
        if (v.complete || v.missing > 0) && (caps.inlay_refresh || caps.lens_refresh) {
            let c = self.client.clone();
            tokio::spawn(async move {
                if caps.inlay_refresh {
                    let _ = c.inlay_hint_refresh().await;
                }
                if caps.lens_refresh {
                    let _ = c.code_lens_refresh().await;
                }
            });
        }
    }
}

/// Forward the analysis thread's events to the client.
async fn pump(s: Arc<Shared>, mut rx: tokio::sync::mpsc::UnboundedReceiver<Event>) {
    while let Some(ev) = rx.recv().await {
        match ev {
            Event::View(v) => s.on_view(v).await,
            Event::Progress(p) => {
                if let Progress::End { files, functions, analyzed, cached, ms } = &p {
                    let params = json!({"files": files, "functions": functions, "analyzed": analyzed, "fromCache": cached, "ms": ms});
                    s.client.send_notification::<IndexStatsNotification>(params).await;
                }
                let _ = s.progress.send(p);
            }
            Event::Log(m) => s.client.log_message(MessageType::ERROR, m).await,
            Event::Info(m) => s.client.log_message(MessageType::INFO, m).await,
            Event::Stats(st) => {
                let params = json!({"uri": st.uri, "version": st.version, "analyzed": st.analyzed, "fromCache": st.from_store});
                s.client.send_notification::<RunStatsNotification>(params).await;
            }
        }
    }
}

/// `$/perfi/runStats`: what one run of a document took from the interface
/// cache and what it analyzed (`{uri, version, analyzed, fromCache}`).
enum RunStatsNotification {}
impl notification::Notification for RunStatsNotification {
    type Params = Value;
    const METHOD: &'static str = "$/perfi/runStats";
}

/// `$/perfi/indexStats`: workspace indexing is done
/// (`{files, functions, analyzed, fromCache, ms}`); sent whether or not
/// the client takes `$/progress`.
enum IndexStatsNotification {}
impl notification::Notification for IndexStatsNotification {
    type Params = Value;
    const METHOD: &'static str = "$/perfi/indexStats";
}

/// `$/progress` for workspace indexing, in its own task: creating the
/// token waits for the client's answer.
async fn progress_task(s: Arc<Shared>, mut rx: tokio::sync::mpsc::UnboundedReceiver<Progress>) {
    let mut ongoing = None;
    while let Some(p) = rx.recv().await {
        match p {
            Progress::Begin { total } => {
                let token = NumberOrString::String(format!("perfi-index-{}", std::process::id()));
                if s.client.create_work_done_progress(token.clone()).await.is_ok() {
                    let pr = s.client.progress(token, "Perfi: indexing").with_message(format!("0/{total} files")).with_percentage(0).begin().await;
                    ongoing = Some(pr);
                }
            }
            Progress::Report { done, total, file } => {
                if let Some(pr) = &ongoing {
                    let pct = (done * 100).checked_div(total).unwrap_or(100) as u32;
                    let name = std::path::Path::new(&file).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                    pr.report_with_message(format!("indexed {done}/{total} files ({name})"), pct).await;
                }
            }
            Progress::End { files, functions, analyzed, cached, .. } => {
                if let Some(pr) = ongoing.take() {
                    pr.finish_with_message(format!("indexed {files} files, {functions} functions ({analyzed} analyzed, {cached} from the cache)")).await;
                }
            }
        }
    }
}

#[derive(Deserialize)]
pub struct InterfaceParams {
    pub uri: String,
    pub function: String,
}

fn hint(v: &FileView, m: &Mark, enc: Encoding, range: &Range) -> Option<InlayHint> {
    let (at, label) = m.hint.as_ref()?;
    let position = byte_to_position(&v.rope, *at, enc);
    if position < range.start || position > range.end {
        return None;
    }
    Some(InlayHint {
        position,
        label: InlayHintLabel::String(label.clone()),
        kind: None,
        text_edits: None,
        tooltip: None,
        padding_left: Some(true),
        padding_right: None,
        data: None,
    })
}

fn arg_str(args: &[Value], i: usize, what: &str) -> Result<String> {
    args.get(i).and_then(|a| a.as_str()).map(String::from).ok_or_else(|| Error::invalid_params(format!("argument {} ({what}) missing", i + 1)))
}

impl Backend {
    fn new(client: Client, worker: WorkerHandle) -> Backend {
        let (tick, _) = tokio::sync::watch::channel(0);
        let (ptx, prx) = tokio::sync::mpsc::unbounded_channel();
        let state = State { encoding: Encoding::Utf16, settings: Arc::new(Settings::default()), root: None, caps: ClientCaps::default() };
        Backend {
            s: Arc::new(Shared {
                client,
                docs: DocumentStore::default(),
                worker,
                views: DashMap::new(),
                tick,
                state: RwLock::new(state),
                shutdown: AtomicBool::new(false),
                progress: ptx,
                progress_rx: std::sync::Mutex::new(Some(prx)),
            }),
        }
    }

    /// `perfi/interface`: the JSON interface of one function.
    pub async fn interface(&self, p: InterfaceParams) -> Result<Value> {
        let v = self.s.view_when(&p.uri, true).await?;
        guard("perfi/interface", || v.function(&p.function).map(|f| f.json.clone()).ok_or_else(|| Error::invalid_params(format!("no function `{}` in {}", p.function, p.uri))))
    }

    /// A message the transport could not decode (see framing.rs).
    pub async fn malformed(&self, p: framing::MalformedParams) -> Result<()> {
        Err(framing::malformed_error(p))
    }

    async fn command(&self, name: &str, args: &[Value]) -> Result<Option<Value>> {
        match name {
            "perfi.showInterface" => {
                let uri = arg_str(args, 0, "document URI")?;
                let func = arg_str(args, 1, "function name")?;
                let v = self.s.view_when(&uri, true).await?;
                let f = v.function(&func).ok_or_else(|| Error::invalid_params(format!("no function `{func}` in {uri}")))?;
                Ok(Some(json!({"name": f.name, "markdown": f.hover, "text": f.text, "interface": f.json})))
            }
            "perfi.pinBaseline" => {
                let uri = arg_str(args, 0, "document URI")?;
                let text = self.s.docs.text(&uri).ok_or_else(|| not_open(&uri))?;
                self.s.worker.send(Msg::Pin { uri: uri.clone(), text });
                self.s.schedule(&uri, None);
                Ok(Some(json!({"pinned": uri})))
            }
            "perfi.exportPython" => {
                let uri = arg_str(args, 0, "document URI")?;
                let v = self.s.view_when(&uri, true).await?;
                let mut py = String::from(perfi_engine::output::PY_PRELUDE);
                for f in &v.functions {
                    py.push_str(&f.python);
                }
                Ok(Some(Value::String(py)))
            }
            other => Err(Error::invalid_params(format!("unknown command `{other}` (known: {})", COMMANDS.join(", ")))),
        }
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        guard("initialize", || {
            let caps = serde_json::to_value(&params.capabilities).unwrap_or(Value::Null);
            let encs = caps.pointer("/general/positionEncodings").and_then(|v| v.as_array()).cloned().unwrap_or_default();
            let encoding = if encs.iter().any(|e| e == "utf-8") { Encoding::Utf8 } else { Encoding::Utf16 };
            let flag = |p: &str| caps.pointer(p).and_then(|v| v.as_bool()).unwrap_or(false);
            let client_caps = ClientCaps {
                progress: flag("/window/workDoneProgress"),
                inlay_refresh: flag("/workspace/inlayHint/refreshSupport"),
                lens_refresh: flag("/workspace/codeLens/refreshSupport"),
                configuration: flag("/workspace/configuration"),
                config_registration: flag("/workspace/didChangeConfiguration/dynamicRegistration"),
            };
            let root = params
                .workspace_folders
                .as_ref()
                .and_then(|f| f.first())
                .map(|f| uri_path(&f.uri))
                .or_else(|| {
                    #[allow(deprecated)]
                    params.root_uri.as_ref().map(uri_path)
                });
            let mut settings = Settings { root: root.clone(), ..Settings::default() };
            let mut warning = None;
            if let Some(opts) = &params.initialization_options {
                if let Err(e) = settings.merge(opts) {
                    warning = Some(format!("{e:#}"));
                }
            }
            if let Ok(mut st) = self.s.state.write() {
                *st = State { encoding, settings: Arc::new(settings), root, caps: client_caps };
            }
            if let Some(w) = warning {
                let c = self.s.client.clone();
                tokio::spawn(async move { c.show_message(MessageType::WARNING, format!("perfi: {w}")).await });
            }
            Ok(InitializeResult {
                capabilities: ServerCapabilities {
                    position_encoding: Some(PositionEncodingKind::from(encoding.lsp_name())),
                    text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        ..Default::default()
                    })),
                    hover_provider: Some(HoverProviderCapability::Simple(true)),
                    code_lens_provider: Some(CodeLensOptions { resolve_provider: Some(false) }),
                    inlay_hint_provider: Some(OneOf::Left(true)),
                    execute_command_provider: Some(ExecuteCommandOptions { commands: COMMANDS.iter().map(|c| c.to_string()).collect(), ..Default::default() }),
                    ..Default::default()
                },
                server_info: Some(ServerInfo { name: "perfi".into(), version: Some(perfi_engine::VERSION.into()) }),
                ..Default::default()
            })
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let rx = self.s.progress_rx.lock().ok().and_then(|mut g| g.take());
        let (root, caps) = match self.s.state.read() {
            Ok(st) => (st.root.clone(), st.caps),
            Err(_) => return,
        };
        if let Some(rx) = rx {
            if caps.progress {
                tokio::spawn(progress_task(self.s.clone(), rx));
            }
        }
        if caps.configuration {
            let s = self.s.clone();
            tokio::spawn(async move {
                if caps.config_registration {
                    // Asks the client to tell us when `perfi` settings change.
                    let reg = Registration {
                        id: "perfi.configuration".into(),
                        method: "workspace/didChangeConfiguration".into(),
                        register_options: Some(json!({"section": "perfi"})),
                    };
                    let _ = s.client.register_capability(vec![reg]).await;
                }
                if pull_settings(&s).await == Some(true) {
                    s.schedule_all();
                }
            });
        }
        if let Some(root) = root.filter(|r| r.is_dir()) {
            let w = self.s.worker.clone();
            let settings = self.s.settings();
            tokio::task::spawn_blocking(move || {
                let files = worker::walk_sources(&root, worker::MAX_INDEX_FILES, worker::MAX_INDEX_ENTRIES);
                w.send(Msg::Index { files, settings });
            });
        }
    }

    async fn shutdown(&self) -> Result<()> {
        self.s.shutdown.store(true, Ordering::SeqCst);
        self.s.worker.versions.cancel_all();
        self.s.worker.send(Msg::Shutdown);
        Ok(())
    }

    async fn did_open(&self, p: DidOpenTextDocumentParams) {
        let d = p.text_document;
        if !is_c_document(&d.uri, &d.language_id) {
            return;
        }
        let uri = d.uri.as_str().to_string();
        self.s.docs.open(&uri, &d.text, d.version, &d.language_id);
        self.s.worker.versions.edited(&uri, d.version);
        self.s.worker.send(Msg::Open { uri: uri.clone(), path: uri_path(&d.uri), text: d.text });
        self.s.schedule(&uri, None);
    }

    async fn did_change(&self, p: DidChangeTextDocumentParams) {
        let uri = p.text_document.uri.as_str().to_string();
        let enc = self.s.encoding();
        // Synchronous: the edit is in the store before anything awaits.
        let r = guard("didChange", || self.s.docs.change(&uri, p.text_document.version, &p.content_changes, enc).map_err(|e| internal(format!("{e:#}"))));
        match r {
            Ok(ch) => {
                self.s.schedule(&uri, ch.edit_byte);
                if uri.ends_with(".h") {
                    for other in self.s.docs.uris().into_iter().filter(|u| *u != uri) {
                        self.s.schedule(&other, None);
                    }
                }
            }
            Err(e) => self.s.client.log_message(MessageType::ERROR, format!("perfi: {}", e.message)).await,
        }
    }

    async fn did_close(&self, p: DidCloseTextDocumentParams) {
        let uri = p.text_document.uri.as_str().to_string();
        if !self.s.docs.close(&uri) {
            return;
        }
        self.s.worker.versions.closed(&uri);
        self.s.worker.send(Msg::Close { uri: uri.clone() });
        self.s.views.remove(&uri);
        self.s.client.publish_diagnostics(p.text_document.uri, vec![], None).await;
    }

    async fn did_change_configuration(&self, p: DidChangeConfigurationParams) {
        // A client that answers `workspace/configuration` is asked (the
        // notification's payload may be null or partial); others push.
        if self.s.caps().configuration {
            match pull_settings(&self.s).await {
                Some(true) => return self.s.schedule_all(),
                Some(false) => return,
                None => {}
            }
        }
        let r = match self.s.state.write() {
            Ok(mut st) => {
                let mut s = (*st.settings).clone();
                let r = s.merge(&p.settings);
                if r.is_ok() {
                    st.settings = Arc::new(s);
                }
                r
            }
            Err(_) => Ok(()),
        };
        if let Err(e) = r {
            self.s.client.show_message(MessageType::WARNING, format!("perfi: {e:#}")).await;
            return;
        }
        self.s.schedule_all();
    }

    async fn hover(&self, p: HoverParams) -> Result<Option<Hover>> {
        let tp = p.text_document_position_params;
        let uri = tp.text_document.uri.as_str().to_string();
        let enc = self.s.encoding();
        // Answer at once from the newest view when the position is outside
        // the text edited since; otherwise wait for the current analysis.
        let Some(doc) = self.s.docs.get(&uri) else { return Err(not_open(&uri)) };
        if let Some(v) = self.s.views.get(&uri).map(|v| v.clone()) {
            if v.version == doc.version {
                let h = guard("hover", || Ok(hover_at(&v, position_to_byte(&v.rope, tp.position, enc), enc)))?;
                // Nothing there yet in a file still being analyzed: wait.
                if h.is_some() || v.missing == 0 {
                    return Ok(h);
                }
                let v = self.s.view_when(&uri, true).await?;
                return guard("hover", || Ok(hover_at(&v, position_to_byte(&v.rope, tp.position, enc), enc)));
            }
            if let Some(h) = guard("hover", || Ok(hover_from_older(&v, &doc.rope, tp.position, enc)))? {
                return Ok(Some(h));
            }
        }
        let v = self.s.view_for(&uri).await?;
        if v.missing > 0 {
            let h = guard("hover", || Ok(hover_at(&v, position_to_byte(&v.rope, tp.position, enc), enc)))?;
            if h.is_some() {
                return Ok(h);
            }
            let v = self.s.view_when(&uri, true).await?;
            return guard("hover", || Ok(hover_at(&v, position_to_byte(&v.rope, tp.position, enc), enc)));
        }
        guard("hover", || Ok(hover_at(&v, position_to_byte(&v.rope, tp.position, enc), enc)))
    }

    async fn code_lens(&self, p: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let uri = p.text_document.uri.as_str().to_string();
        // A client that cannot be told to ask again gets every lens.
        let v = self.s.view_when(&uri, !self.s.caps().lens_refresh).await?;
        let enc = self.s.encoding();
        guard("codeLens", || {
            let mut out = Vec::new();
            for f in &v.functions {
                // A function of a view still being filled in (a file just
                // opened) that has no interface yet.
                let title = if f.lens.is_empty() && !v.complete { "perfi: analyzing…".to_string() } else { f.lens.clone() };
                out.push(CodeLens {
                    range: byte_range(&v.rope, f.name_start, f.name_end, enc),
                    command: Some(Command { title, command: "perfi.showInterface".into(), arguments: Some(vec![json!(uri), json!(f.name)]) }),
                    data: None,
                });
            }
            for s in &v.structs {
                out.push(CodeLens { range: byte_range(&v.rope, s.start, s.end, enc), command: Some(Command { title: s.lens.clone(), command: String::new(), arguments: None }), data: None });
            }
            Ok(Some(out))
        })
    }

    async fn inlay_hint(&self, p: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        let uri = p.text_document.uri.as_str().to_string();
        if !self.s.settings().inlay_hints {
            return if self.s.docs.version(&uri).is_some() { Ok(Some(vec![])) } else { Err(not_open(&uri)) };
        }
        let v = self.s.view_when(&uri, !self.s.caps().inlay_refresh).await?;
        let enc = self.s.encoding();
        guard("inlayHint", || {
            let mut out: Vec<InlayHint> = Vec::new();
            for f in &v.functions {
                for m in f.loops.iter().chain(f.calls.iter()) {
                    out.extend(hint(&v, m, enc, &p.range));
                }
            }
            out.sort_by_key(|h| h.position);
            Ok(Some(out))
        })
    }

    async fn execute_command(&self, p: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        self.command(&p.command, &p.arguments).await
    }
}
