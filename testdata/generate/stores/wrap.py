"""Builds testdata/stores/: the real app and nginx logs of testdata/ as log stores export them.

  python3 wrap.py TESTDATA_DIR OUT_DIR

No log store runs here: each export is written in the shape its documentation gives, around
the unchanged lines of testdata/app.log (python-json-logger) and testdata/nginx-access.log
(nginx), so the expected figures come from those logs: a report over an export must give the
requests, statuses, error types and latencies of the plain logs it wraps.

- Grafana Loki, logcli (https://grafana.com/docs/loki/latest/query/logcli/, `--output=jsonl`;
  pkg/logcli/output/jsonl.go: Go's json.Marshal of {"timestamp", "line", "labels"}, keys
  sorted, the time in RFC3339Nano), oldest first as with `--forward`.
- Grafana Loki, query_range (https://grafana.com/docs/loki/latest/reference/loki-http-api/,
  "Query logs within a range of time"): {"status":"success","data":{"resultType":"streams",
  "result":[{"stream":{labels},"values":[["<unix ns>","<line>"]]}],"stats":{...}}}, one
  stream per label set, `direction=forward`.
- Elasticsearch `_search` (https://www.elastic.co/guide/en/elasticsearch/reference/current/
  search-search.html; pretty-printed as `?pretty` writes it, ` : ` after keys), each hit's
  `_source` as Filebeat's filestream input and add_host_metadata write it
  (https://www.elastic.co/guide/en/beats/filebeat/current/exported-fields-ecs.html):
  `@timestamp`, the raw line in `message`, `log.file.path`, `log.offset`, `host.name`,
  `agent`, `ecs.version`, `input.type`.
- elasticdump data files (https://github.com/elasticsearch-dump/elasticsearch-dump, `--type=data`):
  one hit per line, {"_index","_type","_id","_score","_source"}.
- AWS CloudWatch Logs, `aws logs filter-log-events` (https://docs.aws.amazon.com/
  AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html and API_FilteredLogEvent):
  {"events":[{"logStreamName","timestamp","message","ingestionTime","eventId"}],
  "searchedLogStreams":[...]}, as the CLI prints JSON (4-space indent).
- Google Cloud Logging, `gcloud logging read --format=json` (LogEntry:
  https://cloud.google.com/logging/docs/api/reference/rest/v2/LogEntry; structured logging:
  https://cloud.google.com/logging/docs/structured-logging): a JSON array, keys sorted, 2-space
  indent; the agent parses each JSON line into `jsonPayload`, lifting the app's
  `logging.googleapis.com/trace` into `trace` (here the app writes its request id there, so the
  payload carries none and the id comes from `trace`), and `textPayload` for other lines;
  `resource.labels` of a k8s_container; severity INFO/ERROR by stream.
- OpenTelemetry, the collector's file exporter (https://opentelemetry.io/docs/specs/otel/
  protocol/file-exporter/, OTLP JSON encoding https://opentelemetry.io/docs/specs/otlp/
  #json-protobuf-encoding): one LogsData per line, records batched 50 per line, written by
  opentelemetry-proto's messages through protobuf's json_format with integer enums and
  hex trace ids, as OTLP JSON requires. Each record as OpenTelemetry's Python logging handler
  makes it: the message as the body, `levelname` as severityText, the logger's extra fields as
  attributes, `exc_info` as `exception.type`/`exception.stacktrace`, the request id as the
  record's traceId (nginx's $request_id is 32 hex digits, a valid trace id).

Also writes a few broken documents for the error tests. Timestamps: app.log's `asctime` and
nginx's `$time_local` were written in Asia/Kolkata (UTC+05:30).
"""

import base64
import datetime
import gzip
import json
import os
import re
import sys

IST = datetime.timezone(datetime.timedelta(hours=5, minutes=30))


def app_ts(d):
    t = datetime.datetime.strptime(d["asctime"], "%Y-%m-%d %H:%M:%S,%f").replace(tzinfo=IST)
    return t


def nginx_ts(line):
    m = re.search(r"\[(\d\d/\w\w\w/\d{4}:\d\d:\d\d:\d\d [+-]\d{4})\]", line)
    return datetime.datetime.strptime(m.group(1), "%d/%b/%Y:%H:%M:%S %z")


def ns(t):
    return int(t.timestamp()) * 1_000_000_000 + t.microsecond * 1000


def rfc3339nano(t):
    u = t.astimezone(datetime.timezone.utc)
    frac = f"{u.microsecond:06d}000".rstrip("0")
    return u.strftime("%Y-%m-%dT%H:%M:%S") + (f".{frac}" if frac else "") + "Z"


def lines(path):
    with open(path, encoding="utf-8") as f:
        return [l.rstrip("\n") for l in f]


def app_records(testdata):
    """(time, line, parsed or None) of app.log; the banner has no time: the next line's."""
    out = []
    raw = lines(os.path.join(testdata, "app.log"))
    parsed = [None] * len(raw)
    for i, l in enumerate(raw):
        try:
            parsed[i] = json.loads(l)
        except ValueError:
            pass
    first = next(app_ts(p) for p in parsed if p)
    t = first
    for l, p in zip(raw, parsed):
        if p:
            t = app_ts(p)
        out.append((t, l, p))
    return out


def nginx_records(testdata):
    return [(nginx_ts(l), l, None) for l in lines(os.path.join(testdata, "nginx-access.log"))]


def write(out, name, text):
    path = os.path.join(out, name)
    data = text.encode("utf-8")
    if name.endswith(".gz"):
        # mtime 0: the same input gives the same bytes.
        data = gzip.compress(data, mtime=0)
    with open(path, "wb") as f:
        f.write(data)


APP_LABELS = {"container": "api", "namespace": "shop", "pod": "shop-api-5d8c7f9b4-x2x4q", "job": "shop/api"}
NGINX_LABELS = {"container": "nginx", "namespace": "shop", "pod": "shop-nginx-6f7d9c8b5-k8l2m", "job": "shop/nginx"}


def loki(app, nginx, out):
    jsonl = [
        json.dumps({"labels": APP_LABELS, "line": l, "timestamp": rfc3339nano(t)},
                   sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        for t, l, _ in app
    ]
    write(out, "loki-logcli-app.jsonl.gz", "\n".join(jsonl) + "\n")
    result = [
        {"stream": labels, "values": [[str(ns(t)), l] for t, l, _ in recs]}
        for labels, recs in ((APP_LABELS, app), (NGINX_LABELS, nginx))
    ]
    resp = {"status": "success", "data": {"resultType": "streams", "result": result,
            "stats": {"summary": {"bytesProcessedPerSecond": 0, "totalEntriesReturned":
                                  len(app) + len(nginx)}}}}
    write(out, "loki-query-range.json.gz", json.dumps(resp, separators=(",", ":"), ensure_ascii=False))


def filebeat_source(t, line, offset, path):
    return {
        "@timestamp": t.astimezone(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "agent": {"type": "filebeat", "version": "8.11.0", "name": "web-1"},
        "ecs": {"version": "8.0.0"},
        "host": {"name": "web-1"},
        "input": {"type": "filestream"},
        "log": {"file": {"path": path}, "offset": offset},
        "message": line,
    }


def elastic(app, nginx, out):
    hits = []
    for recs, path in ((app, "/var/log/shop/app.log"), (nginx, "/var/log/nginx/access.log")):
        offset = 0
        for t, l, _ in recs:
            n = len(hits)
            hits.append({"_index": ".ds-filebeat-8.11.0-2026.11.25-000001", "_id": f"doc-{n:05d}",
                         "_score": 1.0, "_source": filebeat_source(t, l, offset, path)})
            offset += len(l.encode()) + 1
    resp = {"took": 12, "timed_out": False,
            "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
            "hits": {"total": {"value": len(hits), "relation": "eq"}, "max_score": 1.0, "hits": hits}}
    pretty = json.dumps(resp, indent=2, ensure_ascii=False).replace('": ', '" : ')
    write(out, "elasticsearch-search.json.gz", pretty + "\n")
    dump = [json.dumps(dict(h, _type="_doc"), separators=(",", ":"), ensure_ascii=False)
            for h in hits[: len(app)]]
    write(out, "elasticdump-app.ndjson.gz", "\n".join(dump) + "\n")


def cloudwatch(app, out):
    stream = "shop/api/4f1c2b7e9a6d4c0f8e2b1a3c5d7e9f01"
    events = []
    for i, (t, l, _) in enumerate(app):
        ms = int(t.timestamp() * 1000)
        events.append({"logStreamName": stream, "timestamp": ms, "message": l,
                       "ingestionTime": ms + 250, "eventId": f"{38000000000000000000000000000000000000000000000000000000 + i}"})
    resp = {"events": events, "searchedLogStreams": [{"logStreamName": stream, "searchedCompletely": True}]}
    write(out, "cloudwatch-app.json.gz", json.dumps(resp, indent=4, ensure_ascii=False) + "\n")


def gcp(app, nginx, out):
    entries = []
    res = lambda c, pod: {"labels": {"cluster_name": "prod", "container_name": c, "location": "asia-south1",
                                     "namespace_name": "shop", "pod_name": pod, "project_id": "shop-prod"},
                          "type": "k8s_container"}
    for i, (t, l, p) in enumerate(app + nginx):
        e = {"insertId": f"{i:08x}",
             "labels": {"compute.googleapis.com/resource_name": "gke-prod-pool-1-abcd"},
             "logName": "projects/shop-prod/logs/stdout",
             "receiveTimestamp": rfc3339nano(t + datetime.timedelta(milliseconds=300)),
             "timestamp": rfc3339nano(t)}
        if i < len(app):
            e["resource"] = res("api", APP_LABELS["pod"])
            if p:
                payload = dict(p)
                rid = payload.pop("request_id", None)
                if rid:
                    e["trace"] = f"projects/shop-prod/traces/{rid}"
                e["jsonPayload"] = payload
                e["severity"] = "ERROR" if p.get("levelname") == "ERROR" else "INFO"
            else:
                e["textPayload"] = l
                e["severity"] = "INFO"
        else:
            e["resource"] = res("nginx", NGINX_LABELS["pod"])
            e["textPayload"] = l
            e["severity"] = "INFO"
        entries.append(e)
    write(out, "gcp-logging-read.json.gz", json.dumps(entries, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def otlp(app, out):
    from google.protobuf import json_format
    from opentelemetry.proto.common.v1 import common_pb2
    from opentelemetry.proto.logs.v1 import logs_pb2
    from opentelemetry.proto.resource.v1 import resource_pb2

    def kv(k, v):
        a = common_pb2.AnyValue()
        if isinstance(v, bool):
            a.bool_value = v
        elif isinstance(v, int):
            a.int_value = v
        elif isinstance(v, float):
            a.double_value = v
        else:
            a.string_value = str(v)
        return common_pb2.KeyValue(key=k, value=a)

    sev = {"DEBUG": 5, "INFO": 9, "WARNING": 13, "ERROR": 17, "CRITICAL": 21}
    resource = resource_pb2.Resource(attributes=[
        kv("service.name", "shop-api"), kv("k8s.namespace.name", "shop"),
        kv("k8s.pod.name", APP_LABELS["pod"]), kv("k8s.container.name", "api"), kv("host.name", "web-1")])
    lines_out = []
    for start in range(0, len(app), 50):
        recs = []
        for t, l, p in app[start:start + 50]:
            r = logs_pb2.LogRecord(time_unix_nano=ns(t), observed_time_unix_nano=ns(t) + 1_000_000)
            if p:
                r.severity_text = p["levelname"]
                r.severity_number = sev[p["levelname"]]
                r.body.string_value = p["message"]
                attrs = [kv("code.namespace", p["name"])]
                for k in ("method", "path", "status", "duration_ms"):
                    if k in p:
                        attrs.append(kv(k, p[k]))
                if "exc_info" in p:
                    last = p["exc_info"].rstrip().splitlines()[-1]
                    attrs.append(kv("exception.type", last.split(":")[0]))
                    attrs.append(kv("exception.message", last.split(": ", 1)[-1]))
                    attrs.append(kv("exception.stacktrace", p["exc_info"]))
                r.attributes.extend(attrs)
                r.trace_id = bytes.fromhex(p["request_id"])
                r.span_id = bytes.fromhex(p["request_id"][:16])
            else:
                r.body.string_value = l
            recs.append(r)
        data = logs_pb2.LogsData(resource_logs=[logs_pb2.ResourceLogs(
            resource=resource,
            scope_logs=[logs_pb2.ScopeLogs(scope=common_pb2.InstrumentationScope(name="opentelemetry.sdk._logs._internal"),
                                           log_records=recs)])])
        d = json_format.MessageToDict(data, use_integers_for_enums=True)
        # OTLP JSON: trace and span ids are hex, not proto3 JSON's base64.
        for rl in d["resourceLogs"]:
            for sl in rl["scopeLogs"]:
                for rec in sl["logRecords"]:
                    for k in ("traceId", "spanId"):
                        if k in rec:
                            rec[k] = base64.b64decode(rec[k]).hex()
        lines_out.append(json.dumps(d, separators=(",", ":"), ensure_ascii=False))
    write(out, "otlp-file-exporter.jsonl.gz", "\n".join(lines_out) + "\n")


def broken(app, out):
    recs = [{"insertId": f"{i}", "logName": "l", "textPayload": l, "timestamp": rfc3339nano(t)} for i, (t, l, _) in enumerate(app[1:11])]
    doc = json.dumps(recs, indent=2)
    # Cut inside the ninth entry, as a download that stopped.
    cut = doc.index('"insertId": "8"') + 5
    write(out, "broken-truncated.json", doc[:cut])
    # A stray byte between two entries.
    i = doc.index('{', doc.index('"insertId": "3"') - 20)
    write(out, "broken-corrupt.json", doc[:i] + "@" + doc[i:])


def main():
    testdata, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    app, nginx = app_records(testdata), nginx_records(testdata)
    loki(app, nginx, out)
    elastic(app, nginx, out)
    cloudwatch(app, out)
    gcp(app, nginx, out)
    otlp(app, out)
    broken(app, out)


if __name__ == "__main__":
    main()
