//! The nginx writers: access lines, error-log lines about requests (timeouts, resets, refused
//! pods, 413s), the error log's independent noise, start-up notices, the incident's overload
//! alerts and the post-incident reload. Its draws (worker and connection ids, noise kinds and
//! their details, next due times) are part of the simulation's order, so it must not add, drop
//! or reorder any; what happens to a request is decided in `request`, not here.

use std::io;

use crate::catalog::{ENDPOINTS, PODS, USER_AGENTS};
use crate::clock::{SEC, hex, num, pad_n, pad2, pad3, secs3};
use crate::request::{Act, Proxy, Req};
use crate::scenario::{DOWN_POD, PROXY_TIMEOUT, incident_secs};
use crate::sim::Gen;

/// The nginx master process.
const MASTER: u32 = 214_901;
/// The `nginx -s reload` process; the new workers take the next pids.
const SIGNALLER: u32 = 231_877;

impl Gen {
    /// The `combined` format plus `request_id=` ... `upstream_addr=`.
    pub(crate) fn access_line(&mut self, t: u64, slot: usize) -> io::Result<()> {
        let r = &self.reqs[slot];
        let ep = &ENDPOINTS[r.ep];
        let proxy = r.proxy.unwrap_or(Proxy::Normal);
        let rng = &mut self.rng;
        let w = &mut self.access.line;
        w.extend_from_slice(&self.clients[r.client as usize]);
        w.extend_from_slice(b" - - [");
        w.extend_from_slice(self.access.stamp.get(t));
        w.extend_from_slice(b"] \"");
        request_line(w, ep.method, r);
        let (status, bytes) = match proxy {
            Proxy::Normal => (r.status, status_body(r)),
            Proxy::Timeout => (504, 167),
            Proxy::Closed | Proxy::Reset | Proxy::TooBigHeader | Proxy::NoLive => (502, 157),
            Proxy::TooLarge => (413, 183),
        };
        w.extend_from_slice(b"\" ");
        num(w, status as u64);
        w.push(b' ');
        num(w, bytes);
        w.extend_from_slice(if r.ua >= 5 && r.ua <= 6 {
            b" \"https://app.example.com/\" \""
        } else {
            b" \"-\" \""
        });
        w.extend_from_slice(USER_AGENTS[r.ua as usize].as_bytes());
        w.extend_from_slice(b"\" request_id=");
        hex(w, &r.id);
        w.extend_from_slice(b" request_time=");
        // nginx had the request (and its body) before the app saw it at t0.
        let upstream_us = match proxy {
            Proxy::Timeout => PROXY_TIMEOUT,
            Proxy::NoLive | Proxy::TooLarge => 0,
            _ => (r.dur + 300 + rng.below(900)).min(t - r.t0),
        };
        secs3(w, t + r.upload_us - r.t0);
        access_upstream(w, r, proxy, status, upstream_us);
        self.access.commit()
    }

    pub(crate) fn nginx_head(&mut self, t: u64, level: &str, with_conn: bool) {
        let worker = self.workers[self.rng.below(2) as usize] as u64;
        let w = &mut self.error.line;
        w.extend_from_slice(self.error.stamp.get(t));
        w.extend_from_slice(b" [");
        w.extend_from_slice(level.as_bytes());
        w.extend_from_slice(b"] ");
        num(w, worker);
        w.push(b'#');
        num(w, worker);
        w.extend_from_slice(b": ");
        if with_conn {
            self.conn += 1 + self.rng.below(6);
            w.push(b'*');
            num(w, self.conn);
            w.push(b' ');
        }
    }

    pub(crate) fn nginx_tail(
        &mut self,
        client: usize,
        method: &str,
        uri: (&[u8], &[u8]),
        upstream: Option<&[u8]>,
    ) {
        let w = &mut self.error.line;
        w.extend_from_slice(b", client: ");
        w.extend_from_slice(&self.clients[client]);
        w.extend_from_slice(b", server: api.example.com, request: \"");
        w.extend_from_slice(method.as_bytes());
        w.push(b' ');
        w.extend_from_slice(uri.0);
        w.extend_from_slice(uri.1);
        w.extend_from_slice(b" HTTP/1.1\"");
        if let Some(up) = upstream {
            w.extend_from_slice(b", upstream: \"http://");
            w.extend_from_slice(up);
            w.extend_from_slice(uri.0);
            w.extend_from_slice(uri.1);
            w.push(b'"');
        }
        w.extend_from_slice(b", host: \"api.example.com\"");
    }

    pub(crate) fn proxy_error(&mut self, t: u64, slot: usize, act: Act) -> io::Result<()> {
        let proxy = self.reqs[slot].proxy.unwrap_or(Proxy::Normal);
        let level = "error";
        self.nginx_head(t, level, true);
        let r = &self.reqs[slot];
        let w = &mut self.error.line;
        let mut upstream: Option<&[u8]> = Some(PODS[r.pod as usize].as_bytes());
        match (act, proxy) {
            (Act::Refused, _) => {
                w.extend_from_slice(b"connect() failed (111: Connection refused) while connecting to upstream");
                upstream = Some(PODS[r.refused.unwrap_or(DOWN_POD as u8) as usize].as_bytes());
            }
            (_, Proxy::Timeout) => w.extend_from_slice(
                b"upstream timed out (110: Connection timed out) while reading response header from upstream",
            ),
            (_, Proxy::Closed) => w.extend_from_slice(
                b"upstream prematurely closed connection while reading response header from upstream",
            ),
            (_, Proxy::Reset) => w.extend_from_slice(
                b"recv() failed (104: Connection reset by peer) while reading response header from upstream",
            ),
            (_, Proxy::TooBigHeader) => {
                w.extend_from_slice(b"upstream sent too big header while reading response header from upstream")
            }
            (_, Proxy::NoLive) => {
                w.extend_from_slice(b"no live upstreams while connecting to upstream");
                upstream = Some(b"api_backend");
            }
            (_, Proxy::TooLarge) => {
                w.extend_from_slice(b"client intended to send too large body: ");
                num(w, 1_048_577 + r.n * 1733);
                w.extend_from_slice(b" bytes");
                upstream = None;
            }
            (_, Proxy::Normal) => unreachable!("no error line for a normal request"),
        }
        let (client, method) = (r.client as usize, ENDPOINTS[r.ep].method);
        // The line borrows the request's path; copy the two slices out of the request table.
        let (path, query) = (
            std::mem::take(&mut self.reqs[slot].path),
            std::mem::take(&mut self.reqs[slot].query),
        );
        self.nginx_tail(client, method, (&path, &query), upstream);
        self.reqs[slot].path = path;
        self.reqs[slot].query = query;
        self.error.commit()
    }

    /// Independent nginx error-log noise: most of an nginx error log on a quiet day.
    pub(crate) fn noise(&mut self, t: u64) -> io::Result<()> {
        let client = self.rng.below(self.clients.len() as u64) as usize;
        match self.rng.weighted(&[138, 54, 66, 27, 1, 9]) {
            0 => self.response_buffered(t, client),
            1 => self.body_buffered(t, client),
            2 => self.file_missing(t, client),
            3 => self.rate_limited(t, client),
            4 => self.keepalive_race(t, client),
            _ => self.client_closed(t, client),
        }
        self.error.commit()
    }

    fn response_buffered(&mut self, t: u64, client: usize) {
        self.nginx_head(t, "warn", true);
        self.proxy_temp += 1 + self.rng.below(3);
        let n = self.proxy_temp;
        let w = &mut self.error.line;
        // proxy_temp_path levels=1:2: the last digit, then the two before it.
        w.extend_from_slice(
            b"an upstream response is buffered to a temporary file /var/cache/nginx/proxy_temp/",
        );
        num(w, n % 10);
        w.push(b'/');
        pad2(w, n / 10 % 100);
        w.push(b'/');
        pad_n(w, n, 10);
        w.extend_from_slice(b" while reading upstream");
        let user = self.users[self.rng.below(self.users.len() as u64) as usize];
        let (path, pod): (Vec<u8>, &[u8]) = if self.rng.chance(0.6) {
            (
                [b"/users/".as_slice(), &user, b"/orders"].concat(),
                PODS[self.rng.below(3) as usize].as_bytes(),
            )
        } else {
            (
                b"/api/v1/feed".to_vec(),
                PODS[self.rng.below(3) as usize].as_bytes(),
            )
        };
        let query: &[u8] = if path.starts_with(b"/api/v1") {
            b"?limit=20"
        } else {
            b""
        };
        self.nginx_tail(client, "GET", (&path, query), Some(pod));
    }

    fn body_buffered(&mut self, t: u64, client: usize) {
        self.nginx_head(t, "warn", true);
        self.client_temp += 1 + self.rng.below(2);
        let w = &mut self.error.line;
        w.extend_from_slice(
            b"a client request body is buffered to a temporary file /var/cache/nginx/client_temp/",
        );
        pad_n(w, self.client_temp, 10);
        self.nginx_tail(client, "POST", (b"/retrieval/apple_health_data", b""), None);
    }

    fn file_missing(&mut self, t: u64, client: usize) {
        self.nginx_head(t, "error", true);
        let file = [
            "favicon.ico",
            "robots.txt",
            "apple-touch-icon.png",
            "apple-touch-icon-precomposed.png",
            ".env",
            "wp-login.php",
            ".git/config",
        ][self.rng.weighted(&[70, 8, 8, 5, 3, 3, 3])];
        let w = &mut self.error.line;
        w.extend_from_slice(b"open() \"/usr/share/nginx/html/");
        w.extend_from_slice(file.as_bytes());
        w.extend_from_slice(b"\" failed (2: No such file or directory)");
        let uri = [b"/".as_slice(), file.as_bytes()].concat();
        self.nginx_tail(client, "GET", (&uri, b""), None);
        if file.starts_with("fav") && self.rng.chance(0.5) {
            self.error
                .line
                .extend_from_slice(b", referrer: \"https://app.example.com/\"");
        }
    }

    fn rate_limited(&mut self, t: u64, client: usize) {
        self.nginx_head(t, "error", true);
        let excess = self.rng.below(20_000);
        let w = &mut self.error.line;
        w.extend_from_slice(b"limiting requests, excess: ");
        num(w, excess / 1000);
        w.push(b'.');
        pad3(w, excess % 1000);
        w.extend_from_slice(b" by zone \"api_limit\"");
        self.nginx_tail(client, "POST", (b"/auth/token", b""), None);
    }

    /// The pod closed an idle keepalive connection just as nginx reused it.
    fn keepalive_race(&mut self, t: u64, client: usize) {
        self.nginx_head(t, "error", true);
        self.error.line.extend_from_slice(
            b"upstream prematurely closed connection while reading response header from upstream",
        );
        let pod = PODS[self.rng.below(3) as usize].as_bytes();
        let n = 1 + self.rng.below(120_000);
        let mut uri = b"/api/items/".to_vec();
        num(&mut uri, n);
        self.nginx_tail(client, "GET", (&uri, b""), Some(pod));
    }

    fn client_closed(&mut self, t: u64, client: usize) {
        self.nginx_head(t, "info", true);
        self.error
            .line
            .extend_from_slice(b"client closed connection while waiting for request");
        let w = &mut self.error.line;
        w.extend_from_slice(b", client: ");
        w.extend_from_slice(&self.clients[client]);
        w.extend_from_slice(b", server: 0.0.0.0:443");
    }

    fn notice(&mut self, t: u64, pid: u32, msg: &[u8]) -> io::Result<()> {
        let w = &mut self.error.line;
        w.extend_from_slice(self.error.stamp.get(t));
        w.extend_from_slice(b" [notice] ");
        num(w, pid as u64);
        w.push(b'#');
        num(w, pid as u64);
        w.extend_from_slice(b": ");
        w.extend_from_slice(msg);
        self.error.commit()
    }

    pub(crate) fn nginx_startup(&mut self, t: u64) -> io::Result<()> {
        for m in [
            "using the \"epoll\" event method",
            "nginx/1.24.0",
            "built by gcc 12.2.0 (Debian 12.2.0-14)",
            "OS: Linux 6.1.0-18-amd64",
            "getrlimit(RLIMIT_NOFILE): 1048576:1048576",
            "start worker processes",
        ] {
            self.notice(t, MASTER, m.as_bytes())?;
        }
        for wk in self.workers {
            self.notice(t, MASTER, format!("start worker process {wk}").as_bytes())?;
        }
        Ok(())
    }

    /// Timer 3: worker connections run out while clients retry into the incident.
    pub(crate) fn nginx_overloaded(&mut self, t: u64) -> io::Result<u64> {
        if incident_secs(t).is_none_or(|s| s > 330) {
            return Ok(u64::MAX);
        }
        if self.rng.chance(0.7) {
            self.nginx_head(t, "alert", false);
            self.error
                .line
                .extend_from_slice(b"1024 worker_connections are not enough");
        } else {
            self.nginx_head(t, "crit", true);
            self.error
                .line
                .extend_from_slice(b"accept4() failed (24: Too many open files)");
        }
        self.error.commit()?;
        Ok(t + self.rng.range(SEC / 2, 6 * SEC))
    }

    /// Timer 4: `nginx -s reload` after the incident: a new pair of workers replaces the old
    /// ones, which finish their requests and exit (one stage per call, so the stages interleave
    /// with other lines in time order).
    pub(crate) fn reload_step(&mut self, t: u64) -> io::Result<u64> {
        self.reload_stage += 1;
        Ok(match self.reload_stage {
            1 => {
                self.reload_signalled(t)?;
                t + 2_000
            }
            2 => {
                for wk in self.retiring {
                    self.notice(t, wk, b"gracefully shutting down")?;
                }
                t + 1_400_000
            }
            stage @ (3 | 4) => {
                self.worker_exited(t, self.retiring[stage as usize - 3])?;
                if stage == 3 { t + 310_000 } else { u64::MAX }
            }
            _ => u64::MAX,
        })
    }

    fn reload_signalled(&mut self, t: u64) -> io::Result<()> {
        self.notice(t, SIGNALLER, b"signal process started")?;
        let m = format!("signal 1 (SIGHUP) received from {SIGNALLER}, reconfiguring");
        self.notice(t, MASTER, m.as_bytes())?;
        self.notice(t, MASTER, b"reconfiguring")?;
        self.notice(t, MASTER, b"using the \"epoll\" event method")?;
        self.notice(t, MASTER, b"start worker processes")?;
        self.retiring = self.workers;
        self.workers = [SIGNALLER + 1, SIGNALLER + 2];
        for wk in self.workers {
            self.notice(t, MASTER, format!("start worker process {wk}").as_bytes())?;
        }
        Ok(())
    }

    fn worker_exited(&mut self, t: u64, wk: u32) -> io::Result<()> {
        self.notice(t, wk, b"exiting")?;
        self.notice(t, wk, b"exit")?;
        let m = format!("signal 17 (SIGCHLD) received from {wk}");
        self.notice(t, MASTER, m.as_bytes())?;
        let m = format!("worker process {wk} exited with code 0");
        self.notice(t, MASTER, m.as_bytes())?;
        self.notice(t, MASTER, b"signal 29 (SIGIO) received")
    }
}

/// `upstream_response_time=` ... `upstream_addr=`: a retried request lists the refused pod first.
fn access_upstream(w: &mut Vec<u8>, r: &Req, proxy: Proxy, status: u16, upstream_us: u64) {
    w.extend_from_slice(b" upstream_response_time=");
    match proxy {
        Proxy::TooLarge => w.push(b'-'),
        _ => {
            if r.refused.is_some() {
                w.extend_from_slice(b"0.000, ");
            }
            secs3(w, upstream_us)
        }
    }
    w.extend_from_slice(b" upstream_status=");
    match proxy {
        Proxy::TooLarge => w.push(b'-'),
        _ => {
            if r.refused.is_some() {
                w.extend_from_slice(b"502, ");
            }
            num(
                w,
                if proxy == Proxy::TooBigHeader {
                    502
                } else {
                    status as u64
                },
            )
        }
    }
    w.extend_from_slice(b" upstream_addr=");
    match proxy {
        Proxy::TooLarge => w.push(b'-'),
        Proxy::NoLive => w.extend_from_slice(b"api_backend"),
        _ => {
            if let Some(p) = r.refused {
                w.extend_from_slice(PODS[p as usize].as_bytes());
                w.extend_from_slice(b", ");
            }
            w.extend_from_slice(PODS[r.pod as usize].as_bytes())
        }
    }
}

fn request_line(w: &mut Vec<u8>, method: &str, r: &Req) {
    w.extend_from_slice(method.as_bytes());
    w.push(b' ');
    w.extend_from_slice(&r.path);
    w.extend_from_slice(&r.query);
    w.extend_from_slice(b" HTTP/1.1");
}

/// Response body size as nginx counts it for the app's status.
fn status_body(r: &Req) -> u64 {
    match r.status {
        200 | 201 | 204 => r.body_bytes,
        401 => 43,
        404 => 22,
        409 => 57,
        422 => 96 + r.n % 160,
        429 => 33,
        402 => 61,
        503 => 41,
        _ => 21, // "Internal Server Error"
    }
}
