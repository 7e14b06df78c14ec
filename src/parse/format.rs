//! `Format` (the line formats detected per record) and `Source` (which side of the proxy a
//! format speaks for). Names only: telling formats apart is the parser's job.

use serde::Serialize;

/// Which side of the proxy a line speaks for. Latency and status are never mixed across them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    App,
    Nginx,
}

impl Source {
    pub fn name(self) -> &'static str {
        match self {
            Source::App => "app",
            Source::Nginx => "nginx",
        }
    }
}

/// Line formats, detected per record (of the text inside any envelope).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    Json,
    NginxJson,
    NginxError,
    NginxAccess,
    /// Free text inside an envelope: its time and fields come from the envelope, the whole
    /// text is the message.
    Text,
    /// A traceback or stack printed on its own, not through a logger.
    Stack,
    /// uvicorn's own lines: `INFO:     message` and its access lines.
    Uvicorn,
    /// Python `logging` text layouts (`%(asctime)s %(levelname)s %(name)s: %(message)s`, ...).
    Python,
    /// gunicorn's error log: `[2026-12-01 06:49:31 +0000] [7] [INFO] message`.
    Gunicorn,
    /// gunicorn's access log (the app server's view, not the proxy's).
    GunicornAccess,
    /// `key=value` pairs: Go slog's TextHandler, logrus, Heroku.
    Logfmt,
    /// Go's standard `log`: `2026/12/01 06:30:59 message`.
    GoLog,
    /// Express morgan's presets.
    Morgan,
}

impl Format {
    pub const COUNT: usize = 13;
    pub const ALL: [Format; Format::COUNT] = [
        Format::Json,
        Format::NginxJson,
        Format::NginxError,
        Format::NginxAccess,
        Format::Text,
        Format::Stack,
        Format::Uvicorn,
        Format::Python,
        Format::Gunicorn,
        Format::GunicornAccess,
        Format::Logfmt,
        Format::GoLog,
        Format::Morgan,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::NginxJson => "nginx_json",
            Format::NginxError => "nginx_error",
            Format::NginxAccess => "nginx_access",
            Format::Text => "text",
            Format::Stack => "stack",
            Format::Uvicorn => "uvicorn",
            Format::Python => "python",
            Format::Gunicorn => "gunicorn",
            Format::GunicornAccess => "gunicorn_access",
            Format::Logfmt => "logfmt",
            Format::GoLog => "go_log",
            Format::Morgan => "morgan",
        }
    }

    /// The access lines an app server writes for the app (uvicorn's, gunicorn's, morgan's).
    pub fn is_server_access(self) -> bool {
        matches!(
            self,
            Format::Uvicorn | Format::GunicornAccess | Format::Morgan
        )
    }

    pub fn source(self) -> Source {
        match self {
            Format::NginxJson | Format::NginxError | Format::NginxAccess => Source::Nginx,
            _ => Source::App,
        }
    }
}
