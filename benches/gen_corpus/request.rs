//! One request, decided whole on arrival: its fields, and the steps that fill them (who sends
//! it and to which path, the proxy fates that keep it from the app, its latency and fate in the
//! app, and the app's lines as a timed script). Owns the order of a request's draws; it must
//! not write log lines (`app`, `nginx`) or touch the event queue (`sim`), and any change to the
//! order of its draws changes every corpus.

use crate::catalog::{
    ENDPOINTS, Endpoint, Ep, MID_BATCH, MID_CACHE_FEED, MID_CACHE_ITEM, MID_CACHE_USER, MID_LOCK,
    MID_PAYMENT, MID_QUERY, MID_SEARCH, MID_STORED, SEARCH_TERMS, UA_WEIGHTS, WARN_AUTH,
    WARN_CONFLICT, WARN_DB_RETRY, WARN_RATE, WARN_RETRY, WARN_SLOW, WARN_VALIDATION,
    usual_tracebacks,
};
use crate::clock::{SEC, num};
use crate::rng::Rng;
use crate::scenario::{PROXY_TIMEOUT, health_failing, incident_secs, slowdown};

/// What the proxy sees of a request.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Proxy {
    /// Response passed through (maybe after retrying a refused pod).
    Normal,
    /// No response header within `proxy_read_timeout`: 504.
    Timeout,
    /// The worker died mid-request: 502.
    Closed,
    Reset,
    TooBigHeader,
    /// Every upstream marked failed: 502 without trying.
    NoLive,
    /// Body over `client_max_body_size`: 413, never proxied.
    TooLarge,
}

#[derive(Clone, Copy)]
pub(crate) enum Act {
    Started,
    /// Intermediate INFO line (`catalog::MID_*`).
    Mid(u8),
    /// WARNING line (`catalog::WARN_*`).
    Warn(u8),
    /// ERROR line with the traceback.
    Failed,
    /// ERROR line without a traceback (failing health check).
    HealthFailed,
    Finished,
    /// nginx access line.
    Access,
    /// nginx error line about this request.
    ProxyError,
    /// nginx error line about the refused first pod of a retried request.
    Refused,
}

/// One request, decided on arrival. Slots are reused, so a field a fate does not set keeps the
/// previous request's value (the corpus depends on that: `dur` of hung and dead requests).
#[derive(Default)]
pub(crate) struct Req {
    pub(crate) id: [u8; 32],
    pub(crate) ep: usize,
    pub(crate) path: Vec<u8>,
    /// Query string nginx sees (the app logs the path only).
    pub(crate) query: Vec<u8>,
    pub(crate) t0: u64,
    /// App-side duration (start to finish line).
    pub(crate) dur: u64,
    pub(crate) status: u16,
    pub(crate) tb: u8,
    /// Free number for intermediate messages (ids, counts).
    pub(crate) n: u64,
    pub(crate) client: u32,
    pub(crate) ua: u8,
    pub(crate) pod: u8,
    /// Pod that refused the first attempt.
    pub(crate) refused: Option<u8>,
    pub(crate) proxy: Option<Proxy>,
    pub(crate) body_bytes: u64,
    pub(crate) upload_us: u64,
    pub(crate) script: Vec<(u64, Act)>,
    pub(crate) next: usize,
}

/// Where a request's script stands after one step of deciding it.
pub(crate) enum Next {
    /// The app still has its side to decide.
    App,
    /// The script is complete: queue it.
    Queue,
    /// Nobody logs the request: free its slot.
    Drop,
}

/// The chances of each fate for one request, from its endpoint and the time.
struct Odds {
    db_trouble: bool,
    hung: f64,
    closed: f64,
    reset: f64,
    big_header: f64,
    error: f64,
}

impl Req {
    /// Starts a fresh request in a reused slot: who sends it, to which pod, with which id.
    pub(crate) fn reset(&mut self, t: u64, e: usize, rng: &mut Rng, clients: usize) {
        self.script.clear();
        self.next = 0;
        self.t0 = t;
        self.ep = e;
        self.refused = None;
        self.proxy = None;
        self.upload_us = 0;
        for pair in self.id.chunks_mut(2) {
            let b = rng.next() as u8;
            pair[0] = b"0123456789abcdef"[(b >> 4) as usize];
            pair[1] = b"0123456789abcdef"[(b & 15) as usize];
        }
        self.client = rng.below(clients as u64) as u32;
        self.ua = rng.weighted(&UA_WEIGHTS) as u8;
        self.pod = rng.below(3) as u8;
    }

    /// The path and query of the request's endpoint, and `n`, the number its messages cite.
    pub(crate) fn pick_path(&mut self, rng: &mut Rng, users: &[[u8; 36]]) {
        let ep = ENDPOINTS[self.ep].ep;
        // Drawn for every endpoint, used by some: the draw keeps later choices in step.
        let user = &users[hot(rng, users.len() as u64) as usize];
        let (path, query) = (&mut self.path, &mut self.query);
        path.clear();
        query.clear();
        self.n = 0;
        match ep {
            Ep::Item | Ep::ItemReviews => {
                self.n = 1 + hot(rng, 120_000);
                path.extend_from_slice(b"/api/items/");
                num(path, self.n);
                if ep == Ep::ItemReviews {
                    path.extend_from_slice(b"/reviews");
                    query.extend_from_slice(b"?page=");
                    num(query, 1 + rng.below(4));
                }
            }
            Ep::UserOrders | Ep::UserOrder => {
                self.n = 1 + rng.below(500_000);
                path.extend_from_slice(b"/users/");
                path.extend_from_slice(user);
                path.extend_from_slice(b"/orders");
                if ep == Ep::UserOrder {
                    path.push(b'/');
                    num(path, 100_000 + self.n);
                }
            }
            Ep::Retrieval => {
                self.n = rng.range(40, 9000); // samples in the upload
                path.extend_from_slice(b"/retrieval/apple_health_data");
                self.upload_us = rng.range(2_000, 180_000); // nginx buffers it before proxying
            }
            Ep::Payment => {
                path.extend_from_slice(b"/api/payments/");
                path.extend_from_slice(&users[rng.below(users.len() as u64) as usize]);
                path.extend_from_slice(b"/capture");
            }
            Ep::CartPut | Ep::CartDelete => {
                self.n = 1 + rng.below(90_000);
                path.extend_from_slice(b"/api/carts/");
                num(path, self.n);
                path.extend_from_slice(b"/items");
                if ep == Ep::CartDelete {
                    path.push(b'/');
                    num(path, 1 + hot(rng, 120_000));
                }
            }
            Ep::Search => {
                self.n = rng.below(400); // hits
                path.extend_from_slice(b"/api/search");
                query.extend_from_slice(b"?q=");
                query.extend_from_slice(rng.pick(&SEARCH_TERMS).as_bytes());
                if rng.chance(0.3) {
                    query.extend_from_slice(b"&page=");
                    num(query, 2 + rng.below(5));
                }
            }
            Ep::Auth => path.extend_from_slice(b"/auth/token"),
            Ep::Feed => {
                self.n = 1 + rng.below(500_000);
                path.extend_from_slice(b"/api/v1/feed");
                query.extend_from_slice(b"?limit=20");
            }
            Ep::Health => path.extend_from_slice(b"/health"),
        }
    }

    /// Proxy-side fates that keep the request away from the app entirely.
    pub(crate) fn before_app(
        &mut self,
        t: u64,
        all_down: bool,
        via_nginx: bool,
        rng: &mut Rng,
    ) -> Next {
        if all_down {
            self.proxy = Some(Proxy::NoLive);
            self.script.push((t, Act::ProxyError));
            self.script.push((t + rng.below(400), Act::Access));
            return Next::Queue;
        }
        if ENDPOINTS[self.ep].ep == Ep::Retrieval && rng.chance(0.004) {
            self.proxy = Some(Proxy::TooLarge);
            self.upload_us = 0; // refused on Content-Length, before reading the body
            self.status = 413;
            self.body_bytes = 183;
            if !via_nginx {
                return Next::Drop;
            }
            self.script.push((t, Act::ProxyError));
            self.script.push((t + rng.below(3000), Act::Access));
            return Next::Queue;
        }
        Next::App
    }

    /// The app's side: latency, then one fate (hangs, dies, fails, answers) and its lines.
    /// `Next::Queue` when the request never finishes, so nginx's side is already scripted.
    pub(crate) fn app_script(&mut self, t: u64, via_nginx: bool, rng: &mut Rng) -> Next {
        let ep = &ENDPOINTS[self.ep];
        let incident = incident_secs(t);
        let mut dur = latency(ep, t, rng);
        let odds = Odds::at(ep, incident);
        let fate = rng.unit();
        self.status = 200;
        self.script.push((t, Act::Started));
        let mid = mid_for(ep.ep, rng);
        if ep.ep == Ep::Health {
            if health_failing(incident) && rng.chance(0.3) {
                self.status = 503;
                self.script.push((t + dur * 9 / 10, Act::HealthFailed));
            }
        } else if fate < odds.hung {
            // Stuck on a downstream call forever: the app never logs the end.
            self.script
                .push((t + dur / 3, Act::Mid(mid.unwrap_or(MID_QUERY))));
            self.proxy = Some(Proxy::Timeout);
            if via_nginx {
                self.script.push((t + PROXY_TIMEOUT, Act::ProxyError));
                self.script
                    .push((t + PROXY_TIMEOUT + rng.below(1500), Act::Access));
            }
            return Next::Queue;
        } else if fate < odds.hung + odds.closed + odds.reset {
            // The worker process died mid-request.
            self.script.push((t + dur / 2, Act::Mid(MID_BATCH)));
            self.proxy = Some(if fate < odds.hung + odds.closed {
                Proxy::Closed
            } else {
                Proxy::Reset
            });
            if via_nginx {
                self.script.push((t + dur, Act::ProxyError));
                self.script.push((t + dur + rng.below(900), Act::Access));
            }
            return Next::Queue;
        } else {
            if let Some(m) = mid {
                self.script.push((t + dur / 4, Act::Mid(m)));
                if rng.chance(0.25) {
                    self.script.push((t + dur / 2, Act::Mid(m.max(MID_QUERY))));
                }
            }
            dur = if rng.chance(odds.error) {
                self.fails(t, dur, odds.db_trouble, rng)
            } else {
                self.answers(t, dur, odds.db_trouble, rng)
            };
            if via_nginx && rng.chance(odds.big_header) {
                self.proxy = Some(Proxy::TooBigHeader);
            }
        }
        self.dur = dur;
        self.script.push((t + dur, Act::Finished));
        Next::App
    }

    /// A 5xx with a traceback; returns the duration, which a pool timeout stretches.
    fn fails(&mut self, t: u64, mut dur: u64, db_trouble: bool, rng: &mut Rng) -> u64 {
        let ep = ENDPOINTS[self.ep].ep;
        self.status = if ep == Ep::Payment && rng.chance(0.3) {
            502
        } else {
            500
        };
        let usual = usual_tracebacks(ep);
        self.tb = if db_trouble {
            if rng.chance(0.6) { 1 } else { 2 }
        } else {
            usual[rng.below(usual.len() as u64) as usize]
        };
        if self.tb == 2 {
            dur = dur.max(30 * SEC + rng.below(80_000)); // the pool timeout
        }
        self.script.push((t + dur - dur / 50, Act::Failed));
        dur
    }

    /// A 2xx or 4xx, with the warnings that go with it; returns the duration unchanged.
    fn answers(&mut self, t: u64, dur: u64, db_trouble: bool, rng: &mut Rng) -> u64 {
        let ep = ENDPOINTS[self.ep].ep;
        let (warn, status) = ordinary_status(ep, rng);
        self.status = status;
        if let Some(w) = warn {
            self.script.push((t + dur - dur / 20, Act::Warn(w)));
        } else if ep == Ep::Payment && rng.chance(0.08) {
            self.script.push((t + dur / 2, Act::Warn(WARN_RETRY)));
        } else if db_trouble && rng.chance(0.2) {
            self.script.push((t + dur / 3, Act::Warn(WARN_DB_RETRY)));
        }
        if dur > 2 * SEC {
            self.script
                .push((t + dur - dur / 100, Act::Warn(WARN_SLOW)));
        }
        dur
    }
}

impl Odds {
    fn at(ep: &Endpoint, incident: Option<u64>) -> Self {
        let db_trouble = incident.is_some() && ep.db;
        let (hung, closed, reset, big_header) = if incident.is_some() {
            (0.03, 0.010, 0.005, 0.0002)
        } else {
            (0.005, 0.0008, 0.0004, 0.0002)
        };
        let error = match (ep.ep, db_trouble) {
            (Ep::Health, _) => 0.0,
            (_, true) => 0.22,
            (_, false) if incident.is_some() => 0.05,
            _ => 0.011,
        };
        Self {
            db_trouble,
            hung,
            closed,
            reset,
            big_header,
            error,
        }
    }
}

/// App-side latency in µs: log-normal around the endpoint's median with a heavy tail, slowed
/// by the incident (health checks: a narrow spread and no tail).
fn latency(ep: &Endpoint, t: u64, rng: &mut Rng) -> u64 {
    if ep.ep == Ep::Health {
        (ep.median_ms * 1000.0 * (0.3 * rng.normal()).exp()) as u64
    } else {
        let median = ep.median_ms;
        let mut ms = median * (0.75 * rng.normal()).exp();
        if rng.chance(0.015) {
            ms *= (1.0 / (1.0 - rng.unit())).powf(0.9).min(400.0);
        }
        ms *= slowdown(t);
        (ms * 1000.0).max(250.0) as u64
    }
}

/// A few heavy users and items get most of the traffic.
fn hot(rng: &mut Rng, n: u64) -> u64 {
    ((rng.unit().powi(3)) * n as f64) as u64
}

fn mid_for(ep: Ep, rng: &mut Rng) -> Option<u8> {
    let (m, p) = match ep {
        Ep::Item | Ep::ItemReviews => (MID_CACHE_ITEM, 0.45),
        Ep::UserOrders | Ep::UserOrder => (MID_CACHE_USER, 0.3),
        Ep::Payment => (MID_PAYMENT, 1.0),
        Ep::Retrieval => (
            if rng.chance(0.5) {
                MID_BATCH
            } else {
                MID_STORED
            },
            0.8,
        ),
        Ep::Search => (MID_SEARCH, 0.5),
        Ep::CartPut | Ep::CartDelete => (MID_LOCK, 0.25),
        Ep::Feed => (MID_CACHE_FEED, 0.4),
        Ep::Auth => (MID_QUERY, 0.2),
        Ep::Health => return None,
    };
    rng.chance(p).then_some(m)
}

/// Status of a request that did not fail, and the WARNING that explains a 4xx.
fn ordinary_status(ep: Ep, rng: &mut Rng) -> (Option<u8>, u16) {
    let r = rng.unit();
    match ep {
        Ep::Item | Ep::UserOrder if r < 0.04 => (None, 404),
        Ep::Auth if r < 0.09 => (Some(WARN_AUTH), 401),
        Ep::Retrieval if r < 0.015 => (Some(WARN_VALIDATION), 422),
        Ep::CartPut if r < 0.01 => (Some(WARN_CONFLICT), 409),
        Ep::Payment if r < 0.02 => (None, 402),
        Ep::Health => (None, 200),
        _ if r > 0.997 => (Some(WARN_RATE), 429),
        Ep::Retrieval | Ep::CartPut => (None, 201),
        Ep::CartDelete => (None, 204),
        _ => (None, 200),
    }
}
