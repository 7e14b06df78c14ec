//! The discrete-event simulation: requests arrive (`request` decides each one whole), and one
//! clock steps every request's script, the nginx noise and the periodic timers in time order.
//! Owns the simulation's state (`Gen`), the event queue and the order in which arrivals, noise
//! and timers are handled; it must not write a line itself (`app` and `nginx` do), and any
//! change to the order of draws changes every corpus.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io;
use std::path::Path;

use crate::catalog::{ENDPOINTS, Ep, TRACEBACKS, json_escape};
use crate::clock::{SEC, Stamp};
use crate::request::{Act, Next, Proxy, Req};
use crate::rng::Rng;
use crate::scenario::{
    ACCESS_SHARE, ALL_DOWN, DOWN_POD, INCIDENT, NOISE_PER_REQUEST, POD_DOWN, PROXY_TIMEOUT, RELOAD,
    START, in_window, load, requests_per_sec,
};
use crate::sink::{IN_ACCESS, IN_APP, IN_ERROR, Sink};

/// The run's state: the PRNG, the three files, the fixed populations of users and clients, the
/// request slots and event queue, and what nginx carries from line to line (connection and
/// worker ids, temp-file counters, the reload's stage).
pub(crate) struct Gen {
    pub(crate) rng: Rng,
    pub(crate) app: Sink,
    pub(crate) error: Sink,
    pub(crate) access: Sink,
    pub(crate) tracebacks: Vec<Vec<u8>>,
    pub(crate) users: Vec<[u8; 36]>,
    pub(crate) clients: Vec<Vec<u8>>,
    pub(crate) reqs: Vec<Req>,
    free: Vec<usize>,
    /// (time, sequence number for a deterministic order of equal times, request slot)
    queue: BinaryHeap<Reverse<(u64, u64, usize)>>,
    seq: u64,
    /// Requests per second at load 1.0.
    rate: f64,
    pub(crate) conn: u64,
    pub(crate) workers: [u32; 2],
    pub(crate) proxy_temp: u64,
    pub(crate) client_temp: u64,
    /// nginx skips a pod for `fail_timeout` (10 s) after a refused connection.
    pod_failed_at: u64,
    pub(crate) reload_stage: u8,
    pub(crate) retiring: [u32; 2],
}

impl Gen {
    pub(crate) fn new(seed: u64, dir: &Path, size: u64, enabled: u8) -> io::Result<Self> {
        let mut rng = Rng::new(seed);
        // The populations take the first draws, users before clients: all later draws follow.
        let users = fake_users(&mut rng);
        let clients = fake_clients(&mut rng);
        Ok(Self {
            rng,
            app: Sink::new(dir.join("app.log"), enabled & IN_APP != 0, Stamp::App)?,
            error: Sink::new(
                dir.join("nginx-error.log"),
                enabled & IN_ERROR != 0,
                Stamp::Error,
            )?,
            access: Sink::new(
                dir.join("nginx-access.log"),
                enabled & IN_ACCESS != 0,
                Stamp::Access,
            )?,
            tracebacks: TRACEBACKS.iter().map(|t| json_escape(t)).collect(),
            users,
            clients,
            reqs: Vec::new(),
            free: Vec::new(),
            queue: BinaryHeap::new(),
            seq: 0,
            rate: requests_per_sec(size),
            conn: 5_482_906,
            workers: [214_903, 214_904],
            proxy_temp: 0,
            client_temp: 0,
            pod_failed_at: 0,
            reload_stage: 0,
            retiring: [0; 2],
        })
    }

    pub(crate) fn run(&mut self, size: u64) -> io::Result<()> {
        self.nginx_startup(START)?;
        let mut arrival = START + self.gap(START);
        let mut noise = START + self.noise_gap(START);
        // Periodic app lines without a request, incident-only nginx alerts, the reload; the
        // index is the timer's number in `timer`.
        let mut timers = [
            START + 17 * SEC,
            START + 4 * SEC,
            INCIDENT + 8 * SEC,
            INCIDENT + 205 * SEC,
            RELOAD,
        ];
        while self.app.bytes < size {
            let queued = self.queue.peek().map_or(u64::MAX, |r| r.0.0);
            let (ti, &timer) = timers.iter().enumerate().min_by_key(|(_, t)| **t).unwrap();
            let now = queued.min(arrival).min(noise).min(timer);
            if now == queued {
                let Reverse((t, _, slot)) = self.queue.pop().unwrap();
                self.step(t, slot)?;
            } else if now == arrival {
                self.arrive(arrival);
                arrival += self.gap(arrival);
            } else if now == noise {
                self.noise(noise)?;
                noise += self.noise_gap(noise);
            } else {
                timers[ti] = self.timer(ti, timer)?;
            }
        }
        self.app.finish()?;
        self.error.finish()?;
        self.access.finish()
    }

    fn gap(&mut self, t: u64) -> u64 {
        (self.rng.exp(SEC as f64 / (self.rate * load(t)))) as u64 + 1
    }

    fn noise_gap(&mut self, t: u64) -> u64 {
        (self
            .rng
            .exp(SEC as f64 / (self.rate * NOISE_PER_REQUEST * load(t)))) as u64
            + 1
    }

    fn schedule(&mut self, t: u64, slot: usize) {
        self.seq += 1;
        self.queue.push(Reverse((t, self.seq, slot)));
    }

    /// Decides everything about a new request and queues its lines.
    fn arrive(&mut self, t: u64) {
        let weights: [u32; 12] = std::array::from_fn(|i| ENDPOINTS[i].weight);
        let e = self.rng.weighted(&weights);
        let all_down = in_window(t, ALL_DOWN);
        // Health checks are kube-probes straight to the pods, never through nginx.
        let via_nginx = ENDPOINTS[e].ep != Ep::Health && self.rng.chance(ACCESS_SHARE);
        if all_down && !via_nginx {
            return; // nothing is up to log it
        }
        let slot = self.free.pop().unwrap_or_else(|| {
            self.reqs.push(Req::default());
            self.reqs.len() - 1
        });
        let (r, rng) = (&mut self.reqs[slot], &mut self.rng);
        r.reset(t, e, rng, self.clients.len());
        r.pick_path(rng, &self.users);
        r.body_bytes = rng.range(ENDPOINTS[e].body.0, ENDPOINTS[e].body.1);
        match r.before_app(t, all_down, via_nginx, rng) {
            Next::Queue => return self.start_script(slot),
            Next::Drop => {
                self.reqs[slot].script.clear();
                self.free.push(slot);
                return;
            }
            Next::App => {}
        }
        let r = &mut self.reqs[slot];
        if let Next::Queue = r.app_script(t, via_nginx, &mut self.rng) {
            return self.start_script(slot);
        }
        if via_nginx {
            self.proxy_script(t, slot);
        }
        self.start_script(slot)
    }

    /// nginx's side of a request the app answers: a refused first pod, then the access line
    /// (or the timeout that comes first).
    fn proxy_script(&mut self, t: u64, slot: usize) {
        let (r, rng) = (&mut self.reqs[slot], &mut self.rng);
        let dur = r.dur;
        // nginx skips a refusing pod for fail_timeout after a refusal, so only some requests
        // see the refusal (and are retried on the next pod).
        if r.pod as usize == DOWN_POD && in_window(t, POD_DOWN) {
            if t >= self.pod_failed_at + 10 * SEC {
                self.pod_failed_at = t;
                r.refused = Some(r.pod);
                r.script.push((t, Act::Refused));
            }
            r.pod = if rng.chance(0.5) { 0 } else { 2 };
        }
        let proxy_end = t + dur;
        if dur >= PROXY_TIMEOUT {
            r.proxy = Some(Proxy::Timeout);
            r.script.push((t + PROXY_TIMEOUT, Act::ProxyError));
            r.script
                .push((t + PROXY_TIMEOUT + rng.below(1500), Act::Access));
        } else {
            r.proxy.get_or_insert(Proxy::Normal);
            if r.proxy == Some(Proxy::TooBigHeader) {
                r.script.push((proxy_end + 300, Act::ProxyError));
            }
            r.script
                .push((proxy_end + 300 + rng.below(2000), Act::Access));
        }
    }

    fn start_script(&mut self, slot: usize) {
        let r = &mut self.reqs[slot];
        r.script.sort_by_key(|&(t, _)| t); // stable: equal times keep their order
        let t = r.script[0].0;
        self.schedule(t, slot);
    }

    fn step(&mut self, t: u64, slot: usize) -> io::Result<()> {
        let r = &self.reqs[slot];
        let act = r.script[r.next].1;
        match act {
            Act::Access => self.access_line(t, slot)?,
            Act::ProxyError | Act::Refused => self.proxy_error(t, slot, act)?,
            _ => self.app_line(t, slot, act)?,
        }
        let r = &mut self.reqs[slot];
        r.next += 1;
        if r.next < r.script.len() {
            let t = r.script[r.next].0;
            self.schedule(t, slot);
        } else {
            self.free.push(slot);
        }
        Ok(())
    }

    /// Handles timer `i` due at `t`; returns when it is due next.
    fn timer(&mut self, i: usize, t: u64) -> io::Result<u64> {
        if i <= 2 && in_window(t, ALL_DOWN) {
            return Ok(t + 5 * SEC); // every pod is down: nobody logs
        }
        match i {
            0 => self.flags_refreshed(t),
            1 => self.pool_status(t),
            2 => self.db_reconnecting(t),
            3 => self.nginx_overloaded(t),
            _ => self.reload_step(t),
        }
    }
}

fn fake_users(rng: &mut Rng) -> Vec<[u8; 36]> {
    (0..20_000)
        .map(|_| {
            let (a, b) = (rng.next(), rng.next());
            let mut u = [0u8; 36];
            let s = format!(
                "{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}",
                a >> 32,
                (a >> 16) & 0xffff,
                a & 0xfff,
                8 + (b >> 62),
                (b >> 48) & 0xfff,
                b & 0xffff_ffff_ffff
            );
            u.copy_from_slice(s.as_bytes());
            u
        })
        .collect()
}

fn fake_clients(rng: &mut Rng) -> Vec<Vec<u8>> {
    (0..5_000)
        .map(|_| {
            format!(
                "10.{}.{}.{}",
                1 + rng.below(3),
                rng.below(256),
                1 + rng.below(254)
            )
            .into_bytes()
        })
        .collect()
}
