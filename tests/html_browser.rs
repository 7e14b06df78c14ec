//! `report -f html` in a real browser: headless Chromium loads the page from a file, its
//! screenshot is not blank (light and dark), and the DOM after the page's script ran has the
//! charts with as many bars and points as the JSON report has windows, and the script's
//! filter boxes. Skips with a message when no Chromium is installed, unless
//! `LOGTRIAGE_REQUIRE_BROWSER` is set (CI sets it: `.ci/run` installs Chromium).

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

mod common;

/// The browser: `$CHROMIUM`, else the first of the usual names on PATH.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// Runs the browser headless on `args`, killed after a minute; its stdout.
fn browse(bin: &Path, profile: &Path, args: &[String]) -> Vec<u8> {
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--disable-extensions",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        stdout.read_to_end(&mut v).unwrap();
        v
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "chromium {args:?}: {status}");
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium {args:?} took over a minute");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    reader.join().unwrap()
}

/// A decoded PNG: width, height, RGB per pixel.
struct Image {
    width: usize,
    height: usize,
    rgb: Vec<[u8; 3]>,
}

/// Decodes the 8-bit RGB or RGBA, non-interlaced PNG that Chromium writes.
fn decode_png(data: &[u8]) -> Image {
    assert_eq!(&data[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    let (mut pos, mut idat) = (8, Vec::new());
    let (mut width, mut height, mut channels) = (0, 0, 0);
    while pos + 8 <= data.len() {
        let len = u32::from_be_bytes(data[pos..pos + 4].try_into().unwrap()) as usize;
        let kind = &data[pos + 4..pos + 8];
        let body = &data[pos + 8..pos + 8 + len];
        match kind {
            b"IHDR" => {
                width = u32::from_be_bytes(body[0..4].try_into().unwrap()) as usize;
                height = u32::from_be_bytes(body[4..8].try_into().unwrap()) as usize;
                assert_eq!(body[8], 8, "bit depth");
                channels = match body[9] {
                    2 => 3,
                    6 => 4,
                    c => panic!("colour type {c}"),
                };
                assert_eq!(body[12], 0, "interlaced");
            }
            b"IDAT" => idat.extend_from_slice(body),
            _ => {}
        }
        pos += 12 + len;
    }
    let mut raw = Vec::new();
    flate2::read::ZlibDecoder::new(&idat[..])
        .read_to_end(&mut raw)
        .unwrap();
    let stride = width * channels;
    let mut rows: Vec<Vec<u8>> = Vec::with_capacity(height);
    for y in 0..height {
        let line = &raw[y * (stride + 1)..(y + 1) * (stride + 1)];
        let prev = if y > 0 {
            rows[y - 1].clone()
        } else {
            vec![0; stride]
        };
        rows.push(unfilter(line[0], &line[1..], &prev, channels));
    }
    let rgb = rows
        .iter()
        .flat_map(|r| r.chunks(channels).map(|p| [p[0], p[1], p[2]]))
        .collect();
    Image { width, height, rgb }
}

fn unfilter(kind: u8, line: &[u8], prev: &[u8], bpp: usize) -> Vec<u8> {
    let mut out = vec![0u8; line.len()];
    for i in 0..line.len() {
        let a = if i >= bpp { out[i - bpp] as i16 } else { 0 };
        let b = prev[i] as i16;
        let c = if i >= bpp { prev[i - bpp] as i16 } else { 0 };
        let pred = match kind {
            0 => 0,
            1 => a,
            2 => b,
            3 => (a + b) / 2,
            4 => {
                let p = a + b - c;
                let (pa, pb, pc) = ((p - a).abs(), (p - b).abs(), (p - c).abs());
                if pa <= pb && pa <= pc {
                    a
                } else if pb <= pc {
                    b
                } else {
                    c
                }
            }
            k => panic!("filter {k}"),
        };
        out[i] = line[i].wrapping_add(pred as u8);
    }
    out
}

/// The most common colour, how many distinct colours there are, and the share of pixels
/// that are not the most common one.
fn colours(img: &Image) -> ([u8; 3], usize, f64) {
    let mut counts: HashMap<[u8; 3], usize> = HashMap::new();
    for p in &img.rgb {
        *counts.entry(*p).or_default() += 1;
    }
    let (bg, n) = counts.iter().max_by_key(|(_, n)| **n).unwrap();
    let other = 1.0 - *n as f64 / img.rgb.len() as f64;
    (*bg, counts.len(), other)
}

fn report(format: &str, out: Option<&Path>) -> Vec<u8> {
    match out {
        Some(o) => common::report_all(format, &["-o", &o.display().to_string()]),
        None => common::report_all(format, &[]),
    }
}

#[test]
fn html_report_renders_in_chromium() {
    let Some(bin) = chromium() else {
        assert!(
            std::env::var_os("LOGTRIAGE_REQUIRE_BROWSER").is_none(),
            "LOGTRIAGE_REQUIRE_BROWSER is set but no chromium is on PATH (apt-get install chromium)"
        );
        eprintln!(
            "html_report_renders_in_chromium: SKIPPED: no chromium on PATH (apt-get install chromium, or set CHROMIUM)"
        );
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let page = tmp.path().join("report.html");
    assert!(report("html", Some(&page)).is_empty());
    let json: Value = serde_json::from_slice(&report("json", None)).unwrap();
    let url = format!("file://{}", page.display());
    let profile = tmp.path().join("profile");

    for (name, extra) in [
        ("light", None),
        ("dark", Some("--blink-settings=preferredColorScheme=0")),
    ] {
        let shot = tmp.path().join(format!("{name}.png"));
        let mut args = vec![
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,1600".to_string(),
        ];
        args.extend(extra.map(String::from));
        args.push(url.clone());
        browse(&bin, &profile, &args);
        let img = decode_png(&std::fs::read(&shot).unwrap());
        assert_eq!((img.width, img.height), (1280, 1600));
        let (bg, distinct, other) = colours(&img);
        assert!(distinct > 100, "{name}: only {distinct} colours: blank?");
        assert!(
            other > 0.05,
            "{name}: {:.1}% non-background pixels",
            other * 100.0
        );
        let lum = bg.iter().map(|&c| c as u32).sum::<u32>() / 3;
        match name {
            "light" => assert!(lum > 200, "light background {bg:?}"),
            _ => assert!(lum < 60, "dark background {bg:?}"),
        }
    }

    let dom = String::from_utf8(browse(&bin, &profile, &["--dump-dom".into(), url])).unwrap();
    let windows = json["windows"].as_array().unwrap();
    let p95s = windows.iter().filter(|w| w["p95"].is_number()).count();
    assert!(dom.contains("<svg class=\"chart timeline\""));
    assert_eq!(
        dom.matches("<rect class=\"bar req\"").count(),
        windows.len()
    );
    assert_eq!(
        dom.matches("<rect class=\"bar err\"").count(),
        windows.len()
    );
    assert_eq!(dom.matches("<circle class=\"pt p95\"").count(), p95s);
    let endpoints: usize = ["app", "nginx"]
        .iter()
        .map(|s| json["latency"][s]["endpoints"].as_array().unwrap().len() + 1)
        .sum();
    assert_eq!(dom.matches("<rect class=\"q p99\"").count(), endpoints);
    // The script ran: tables got their sort titles and filter boxes.
    assert!(
        dom.contains("class=\"filter\""),
        "no filter box: the script did not run"
    );
    assert!(
        dom.contains("title=\"sort\""),
        "no sort titles: the script did not run"
    );
}
