//! Command-line definitions (clap derive) and nothing else: doc comments are the help text.
//! Validation and resolution live in `config/`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Fast log analysis and incident triage for JSON app logs and nginx logs.
#[derive(Parser, Debug)]
#[command(name = "logtriage", version, about, long_about = None, arg_required_else_help = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
#[allow(clippy::large_enum_variant)]
pub enum Command {
    /// Post-incident report over one or more log files (JSON lines, nginx error and access
    /// logs, gzip-compressed or not; no FILE or `-` reads stdin).
    Report(ReportArgs),
    /// Follow request ids end to end: every line carrying an id, from every file and format,
    /// in one timeline, with the nginx error lines that correlate with the request.
    #[command(mut_arg("files", |a| a
        .value_name("ID|FILE")
        .help("Request ids, then log files: arguments are ids until the first one that is `-`, names an existing path, or contains a `/`; that one and the rest are files (none: stdin). With --id, every argument is a file.")))]
    Trace(TraceArgs),
    /// Print the lines that match structured predicates (level, time, request id, fields,
    /// message regex), as they are, as normalised JSON, or aligned for a terminal.
    #[command(mut_arg("fields", |a| a.long("map-field")))]
    Filter(FilterArgs),
    /// One row per request id across all files (endpoint, status, duration, errors, outcome),
    /// and where stuck requests stopped: their last app message, grouped.
    Requests(RequestsArgs),
    /// Live triage of a stream: windows, numbers and alerts as lines arrive (stdin, or
    /// `--follow FILE...` like `tail -F`); a final summary equal to `report` at the end.
    Watch(WatchArgs),
    /// One row per parsed record with stable typed columns (time, file, line, source, level,
    /// request id, endpoint, status, latency, error type, message and its template, nginx
    /// class, envelope names), as Parquet, JSON lines or CSV, for DuckDB, ClickHouse, pandas.
    Export(ExportArgs),
    /// List the triage rules `report` flags and `watch` alerts on, with their thresholds (after a
    /// `--rules` file).
    Rules(RulesArgs),
    /// Print shell completions.
    Completions {
        #[arg(value_enum)]
        shell: Shell,
    },
    /// Print the man page (roff).
    Man,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    Table,
    Json,
    Markdown,
    Html,
}

/// What `export` writes.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// Apache Parquet, Snappy-compressed, in row groups of --row-group rows.
    Parquet,
    /// One JSON object per line.
    Jsonl,
    /// RFC 4180 CSV with a header row.
    Csv,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RequestsFormat {
    Table,
    Json,
    Csv,
}

/// A request's outcome, as `report` and `trace` judge it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum OutcomeArg {
    Ok,
    Error,
    Timeout,
    UpstreamClosed,
    Unfinished,
    /// Nothing tells how it ended (its source logs no completions).
    Unknown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SortArg {
    /// First line's time, earliest first.
    Time,
    /// Longest first.
    Duration,
    /// Most error lines first.
    Errors,
}

/// How selected lines are printed.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinesFormat {
    /// Aligned and escaped for a terminal, tracebacks indented below their line.
    Text,
    /// One normalised JSON object per line (documented in docs/lines-schema.md).
    Json,
    /// The original lines, unchanged.
    Raw,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// How JSON keys map to canonical fields.
#[derive(Args, Debug, Clone, Default)]
pub struct FieldArgs {
    /// Map a canonical field to a JSON key or dotted path, e.g. `request_id=traceId`
    /// (repeatable). Canonical names: timestamp, level, message, request_id, error_type,
    /// traceback, latency, method, path, request, status, client, upstream.
    #[arg(
        long = "field",
        visible_alias = "map-field",
        value_name = "CANONICAL=NAME"
    )]
    pub fields: Vec<String>,

    /// Take latency from this JSON key or dotted path, with its unit (default: from the
    /// name's suffix, else seconds), e.g. `elapsed:us`.
    #[arg(long, value_name = "NAME[:s|ms|us|ns]")]
    pub latency_field: Option<String>,

    /// Read access lines written by this nginx `log_format` (the format string as in
    /// nginx.conf, e.g. '$time_iso8601|$status|$request_time|"$request"'); repeatable. Each
    /// line takes the first format it fits exactly, then the built-in ones.
    #[arg(long, value_name = "FORMAT")]
    pub nginx_log_format: Vec<String>,

    /// Read the `log_format` directives of this nginx configuration (as --nginx-log-format
    /// each); repeatable.
    #[arg(long, value_name = "FILE")]
    pub nginx_conf: Vec<PathBuf>,
}

/// Options shared by every command that reads logs.
#[derive(Args, Debug)]
pub struct InputArgs {
    /// Log files; `-` or none reads stdin. gzip is detected by its magic bytes.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Only lines at or after this time: RFC 3339, `YYYY-MM-DD HH:MM[:SS]`, or a duration
    /// such as `30m` meaning that long before the newest line.
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,

    /// Only lines before this time (same forms as --since).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,

    /// Zone for timestamps that carry none (nginx error log, Python asctime, syslog): an IANA
    /// name such as `Europe/Berlin`, or an offset such as `+08:00`. Without it, each input's
    /// zone is inferred from the other inputs (shared request ids, matching access lines),
    /// else TZ, else the system zone is assumed.
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,

    /// Worker threads (default: all cores).
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,

    #[command(flatten)]
    pub fields: FieldArgs,

    /// Read files with plain reads instead of memory-mapping them.
    #[arg(long)]
    pub no_mmap: bool,

    /// Never show a progress bar (it only appears on a terminal for inputs over 64 MiB).
    #[arg(long)]
    pub no_progress: bool,

    /// Colour in terminal output; NO_COLOR in the environment turns `auto` off.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Lines longer than this are not parsed: they count as unparsed and as `oversized`, a
    /// sample keeps their first bytes, and memory stays flat for a line of any length, e.g.
    /// `1MiB`, `64KiB`.
    #[arg(long, default_value = "1MiB", value_name = "SIZE")]
    pub max_line: String,

    /// Chunk size in bytes for parallel parsing (results never depend on it).
    #[arg(long, hide = true, value_name = "BYTES")]
    pub chunk_size: Option<usize>,
}

/// How tables are laid out on a terminal (report, requests).
#[derive(Args, Debug)]
pub struct LayoutArgs {
    /// Columns the output must fit in; long cells wrap inside their column (default: the
    /// terminal's width on a terminal, else COLUMNS, else 120).
    #[arg(long, value_name = "N")]
    pub width: Option<usize>,

    /// Full request ids in tables (else the first 8 characters and `…`; JSON and CSV always
    /// carry them whole).
    #[arg(long)]
    pub wide: bool,
}

#[derive(Args, Debug)]
pub struct ReportArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Output format; markdown is for pasting into a post-mortem, html is one self-contained
    /// page with charts and the timelines of the slowest and stuck requests [default: table].
    #[arg(long, short = 'f', value_enum)]
    pub format: Option<ReportFormat>,

    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Write the mergeable summary of the inputs to FILE (`-`: standard output) instead of
    /// a report; `logtriage report` reads summaries as inputs, mixed with logs. With `-f` or
    /// `-o` the report is written too.
    #[arg(long, value_name = "FILE")]
    pub save_summary: Option<PathBuf>,

    #[command(flatten)]
    pub layout: LayoutArgs,

    /// Only the first screen: the headline, incidents, the timeline strip, the top flags and
    /// error types (table and markdown).
    #[arg(long)]
    pub brief: bool,

    /// Window size such as `10s`, `1m`, `5m`, `1h` (default: from the time span, 20-60 windows).
    #[arg(long, short = 'w', value_name = "DURATION")]
    pub window: Option<String>,

    /// How many rows in ranked lists (error types, endpoints, slowest requests).
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub top: usize,

    /// TOML file that tunes or disables built-in triage rules and adds custom ones
    /// (`logtriage rules` lists them).
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,

    /// Exit with code 3 when a flag of this severity or worse fires (for cron jobs and CI).
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,

    /// Skip triage (rules, incidents, patterns): counts only, a little faster.
    #[arg(long)]
    pub no_triage: bool,

    /// Distinct endpoints kept by name; past it the rest fold into `(other endpoints)`,
    /// counted, and which ones are kept does not depend on file order or threads.
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    pub max_endpoints: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Warning,
    Critical,
}

#[derive(Args, Debug)]
pub struct RulesArgs {
    /// Show the rules as a `--rules` FILE makes them.
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct TraceArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// A request id to follow (repeatable); with it, every positional argument is a file.
    #[arg(long = "id", short = 'i', value_name = "ID")]
    pub ids: Vec<String>,

    /// Output: aligned text with a header per request, normalised JSON lines, or the
    /// original lines.
    #[arg(long, short = 'f', value_enum, default_value_t = LinesFormat::Text)]
    pub format: LinesFormat,
}

#[derive(Args, Debug)]
pub struct FilterArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Only lines at this level or worse: trace, debug, info, warn, error, fatal.
    #[arg(long, value_name = "LEVEL")]
    pub level: Option<String>,

    /// Only lines of this request id (repeatable: any of them).
    #[arg(long = "request-id", value_name = "ID")]
    pub request_ids: Vec<String>,

    /// `KEY=VALUE` (equal) or `KEY~REGEX` (matches) on a canonical field (level, message,
    /// request_id, error_type, method, path, endpoint, status, client, upstream, format,
    /// latency_ms) or a JSON key or dotted path such as `req.url` (repeatable; all must hold).
    #[arg(long = "field", value_name = "KEY=VALUE|KEY~REGEX")]
    pub predicates: Vec<String>,

    /// Only lines whose message matches this regex (lines without a message: the whole line).
    #[arg(long, value_name = "REGEX")]
    pub grep: Option<String>,

    /// Output: the original lines (default), normalised JSON lines, or aligned text.
    #[arg(long, short = 'f', value_enum, default_value_t = LinesFormat::Raw)]
    pub format: LinesFormat,

    /// Print only the number of matching lines.
    #[arg(long, short = 'c')]
    pub count: bool,

    /// Interleave the files by time (default: file after file, each in its own order).
    #[arg(long)]
    pub merge: bool,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Output format (columns and types: docs/export-schema.md).
    #[arg(long, short = 'f', value_enum, default_value_t = ExportFormat::Parquet)]
    pub format: ExportFormat,

    /// Write the rows to FILE; `-` is standard output (not a terminal for parquet and csv).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: PathBuf,

    /// Rows per Parquet row group, and per piece written in parallel for every format
    /// (output never depends on threads or chunk size).
    #[arg(long, default_value_t = 65_536, value_name = "N")]
    pub row_group: usize,
}

#[derive(Args, Debug)]
pub struct RequestsArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Only requests with this outcome (repeatable, or comma-separated).
    #[arg(long, value_enum, value_delimiter = ',', value_name = "OUTCOME")]
    pub outcome: Vec<OutcomeArg>,

    /// Only requests that took longer than this, e.g. `500ms`, `2s` (the logged latency,
    /// else the span of their lines).
    #[arg(long, value_name = "DURATION")]
    pub slower_than: Option<String>,

    /// Only requests whose endpoint (`METHOD /path`, ids as `:id`) matches this regex.
    #[arg(long, value_name = "REGEX")]
    pub endpoint: Option<String>,

    /// Row order.
    #[arg(long, value_enum, default_value_t = SortArg::Time)]
    pub sort: SortArg,

    /// List only the first N rows after sorting (default: all).
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,

    /// Output: aligned table with the last-words summary, one JSON document, or CSV rows.
    #[arg(long, short = 'f', value_enum, default_value_t = RequestsFormat::Table)]
    pub format: RequestsFormat,

    #[command(flatten)]
    pub layout: LayoutArgs,

    /// Distinct endpoints kept by name; past it the rest fold into `(other endpoints)`,
    /// counted, and which ones are kept does not depend on file order or threads.
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    pub max_endpoints: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum WatchFormat {
    /// The live view on a terminal, JSON lines otherwise.
    Auto,
    /// Redraw a live view in place.
    Live,
    /// One JSON object per closed window and per alert change, then the summary.
    Json,
}

#[derive(Args, Debug)]
pub struct WatchArgs {
    /// `-` or nothing: read standard input (use --follow for files).
    #[arg(value_name = "-")]
    pub stdin: Vec<PathBuf>,

    /// Follow these files like `tail -F` (appends, rotation, truncation; a FIFO as a stream)
    /// instead of stdin (repeatable).
    #[arg(long, value_name = "FILE")]
    pub follow: Vec<PathBuf>,

    /// Read the followed files' existing content first (default: start at their end).
    #[arg(long)]
    pub from_start: bool,

    /// Window size in event time.
    #[arg(long, short = 'w', default_value = "10s", value_name = "DURATION")]
    pub window: String,

    /// How late (event time) a line may arrive and still land in its window.
    #[arg(long, default_value = "30s", value_name = "DURATION")]
    pub lateness: String,

    /// How often the live view is redrawn and windows are closed.
    #[arg(long, default_value = "1s", value_name = "DURATION")]
    pub interval: String,

    /// Forget a request not seen for this long (event time).
    #[arg(long, default_value = "10m", value_name = "DURATION")]
    pub request_ttl: String,

    /// Lines longer than this are counted as oversized and skipped, e.g. `1MiB`, `64KiB`.
    #[arg(long, default_value = "1MiB", value_name = "SIZE")]
    pub max_line: String,

    /// Distinct endpoints kept by name in the summary (as for report).
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    pub max_endpoints: usize,

    /// Zone for timestamps that carry none (as for report).
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,

    #[command(flatten)]
    pub fields: FieldArgs,

    /// Alerts: `error_rate_spike`'s min_share, as a percentage (the rules' own by default: 5).
    #[arg(long, value_name = "PERCENT")]
    pub alert_error_share: Option<f64>,

    /// Alerts: `latency_spike`'s p95_above, e.g. `500ms` (the rules' own by default: 2s).
    #[arg(long, value_name = "DURATION")]
    pub alert_p95: Option<String>,

    /// Alerts: nginx upstream timeouts, closed or refused connections (each class) a window
    /// needs (the rules' own by default: 1); 0 turns these alerts off.
    #[arg(long, value_name = "N")]
    pub alert_upstream: Option<u64>,

    /// Alerts: failing health checks a window needs (the rules' own by default: 1); 0 turns
    /// the alert off.
    #[arg(long, value_name = "N")]
    pub alert_health: Option<u64>,

    /// An alert resolves once its rule has not fired in a window for this long.
    #[arg(long, default_value = "1m", value_name = "DURATION")]
    pub alert_hold: String,

    /// Rules for the alerts and the final summary's triage (as report's --rules).
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,

    /// Rows in the summary's ranked lists.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub top: usize,

    /// Output: live view on a terminal and JSON lines when piped (auto), or either.
    #[arg(long, short = 'f', value_enum, default_value_t = WatchFormat::Auto)]
    pub format: WatchFormat,

    /// Colour in the live view and the summary table; NO_COLOR turns `auto` off.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
}
