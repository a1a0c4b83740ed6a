"""The MOENV open-data and SensorThings clients against a local server (127.0.0.1 only).

The server answers in the published shapes: MOENV API v2 pages ({"fields", "__extras": {"api_key"},
"total", "limit", "offset", "_links", "records"}) and SensorThings collections ({"value",
"@iot.nextLink"}, expanded "Observations@iot.nextLink"), with 429s, 500s and cut-off bodies on demand.
"""

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pandas as pd
import pytest

from geoairplan.cli import main
from geoairplan.hotspots.sensors import read_sensors
from geoairplan.io.fetch import Fetcher, FetchError, fetch_moenv, fetch_sensors
from geoairplan.io.moenv import read_moenv_hourly, read_moenv_stations
from geoairplan.reference.geography import data_dir

KEY = "0f1e2d3c-secret-key-4b5a69788796"
SRC = data_dir() / "sources" / "moenv"


def _history_records():
    """aqx_p_488-style history: one record per station-hour, 'current' field names."""
    recs = []
    for site, sid in (("屏東", "59"), ("潮州", "60")):
        for t in pd.date_range("2024-01-01 01:00", periods=125, freq="h"):
            recs.append({"siteid": sid, "sitename": site, "county": "屏東縣", "aqi": "50", "pollutant": "",
                         "status": "良好", "so2": "1.2", "co": "0.3", "o3": str(20 + t.hour), "o3_8hr": "30",
                         "pm10": "40", "pm2.5": str(10 + t.hour % 7), "no2": "8", "nox": "10", "no": "2",
                         "windspeed": "2.1", "winddirec": "888" if t.hour == 3 else "45", "unit": "",
                         "co_8hr": "0.3", "pm2.5_avg": "12", "pm10_avg": "35", "so2_avg": "1",
                         "datacreationdate": t.strftime("%Y-%m-%d %H:%M")})
    return recs


def _csv_records(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False).to_dict("records")


class Server:
    """A bounded local HTTP server; ``script[(path, key)]`` lists failures to serve first."""

    def __init__(self):
        self.data = {"aqx_p_488": _history_records(), "aqx_p_07": _csv_records(SRC / "moenv_stations_aqx_p_07.csv"),
                     "aqx_p_432": _csv_records(SRC / "moenv_aqx_p_432_snapshot.csv")}
        self.script: dict = {}
        self.short: dict = {}
        self.log: list[str] = []
        self.sta: dict[str, dict] = {}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            timeout = 10

            def log_message(self, *a):
                pass

            def do_GET(self):
                outer.log.append(self.path)
                u = urllib.parse.urlsplit(self.path)
                q = dict(urllib.parse.parse_qsl(u.query))
                key = u.path + "@" + q.get("offset", "")
                todo = outer.script.get(key) or outer.script.get(u.path + "@*")
                if todo:
                    mode = todo.pop(0)
                    if mode in ("429", "500"):
                        body = b'{"error": "busy"}'
                        self.send_response(int(mode))
                        if mode == "429":
                            self.send_header("Retry-After", "0")
                        self.send_header("Content-Length", str(len(body)))
                        self.end_headers()
                        self.wfile.write(body)
                        return
                    if mode == "cut":
                        body = json.dumps({"records": [{"sitename": "x" * 50}] * 50}).encode()
                        self.send_response(200)
                        self.send_header("Content-Type", "application/json")
                        self.send_header("Content-Length", str(len(body)))
                        self.end_headers()
                        self.wfile.write(body[: len(body) // 2])
                        self.close_connection = True
                        return
                if u.path.startswith("/api/v2/"):
                    return self._moenv(u.path.rsplit("/", 1)[-1], q)
                if u.path in outer.sta:
                    return self._send(outer.sta[u.path])
                self.send_response(404)
                self.end_headers()

            def _moenv(self, name, q):
                assert q.get("api_key") == KEY and q.get("format") == "JSON"
                recs = outer.data[name]
                if "filters" in q:   # datacreationdate,GR,a|datacreationdate,LE,b
                    (f0, _, a), (f1, _, b) = (x.split(",") for x in q["filters"].split("|"))
                    recs = [r for r in recs if a[:16] <= r[f0] <= b[:16]]
                off, lim = int(q.get("offset", 0)), int(q["limit"])
                page = recs[off: off + outer.short.get(off, lim)]
                base = f"/api/v2/{name}?api_key={KEY}&limit={lim}&format=json"
                self._send({"fields": [{"id": k, "type": "text", "info": {"label": k}} for k in recs[0]],
                            "resource_id": "8d2f907f", "__extras": {"api_key": KEY}, "include_total": True,
                            "total": str(len(recs)), "resource_format": "object", "limit": str(lim),
                            "offset": str(off), "_links": {"start": base, "next": f"{base}&offset={off + lim}"},
                            "records": page})

            def _send(self, obj):
                body = json.dumps(obj, ensure_ascii=False).encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.timeout = 10
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *a):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def server():
    with Server() as s:
        yield s


def fast(**kw):
    lines = []
    f = Fetcher(sleep=lambda s: None, log=lines.append, **kw)
    return f, lines


def test_moenv_history_pages_and_429_500_retries_then_the_reader_reads_it(server, tmp_path):
    server.script = {"/api/v2/aqx_p_488@100": ["429"], "/api/v2/aqx_p_488@200": ["500"]}
    f, lines = fast()
    out = tmp_path / "hist.json"
    got = fetch_moenv("aqx_p_488", out, api_key=KEY, base_url=server.url + "/api/v2", limit=100, fetcher=f,
                      start="2024-01-01 01:00", end="2024-01-06 05:00")
    assert got.records == 250 and got.pages == 3 and got.requests == 5 and not got.problems
    text = out.read_text(encoding="utf-8")
    assert KEY not in text and all(KEY not in line for line in lines)
    assert any("api_key=***" in line for line in lines) and sum("retry" in line for line in lines) == 2
    df = read_moenv_hourly(out)
    assert df.attrs["generation"] == "current" and df["station"].nunique() == 2
    assert df["time"].min() == pd.Timestamp("2024-01-01 01:00", tz="Asia/Taipei")   # datacreationdate: as written
    assert (df.loc[df.pollutant == "wind_direc", "flag"] == "calm").sum() == 2 * 6   # 888 at 03:00, days 1-6


def test_cut_page_is_reported_and_the_download_resumes_from_the_cache(server, tmp_path):
    cache = tmp_path / "cache"
    server.script = {"/api/v2/aqx_p_488@200": ["cut"] * 3}
    f, lines = fast(cache_dir=cache, retries=2)
    with pytest.raises(FetchError) as e:
        fetch_moenv("aqx_p_488", tmp_path / "a.json", api_key=KEY, base_url=server.url + "/api/v2", limit=100,
                    fetcher=f)
    msg = str(e.value)
    assert "offset 200" in msg and "cut off" in msg and "resumes" in msg and KEY not in msg
    assert not (tmp_path / "a.json").exists()
    assert not any(KEY in p.name or KEY in p.read_text(encoding="utf-8") for p in cache.iterdir()
                   if p.suffix == ".part")
    server.log.clear()
    f2, _ = fast(cache_dir=cache)
    got = fetch_moenv("aqx_p_488", tmp_path / "a.json", api_key=KEY, base_url=server.url + "/api/v2", limit=100,
                      fetcher=f2)
    assert got.records == 250 and got.cache_hits == 2 and got.requests == 1
    assert [dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(p).query))["offset"] for p in server.log] == ["200"]
    fresh, _ = fast()
    fetch_moenv("aqx_p_488", tmp_path / "b.json", api_key=KEY, base_url=server.url + "/api/v2", limit=100,
                fetcher=fresh)
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_short_page_reported(server, tmp_path):
    server.short = {100: 60}
    f, _ = fast()
    got = fetch_moenv("aqx_p_488", tmp_path / "s.json", api_key=KEY, base_url=server.url + "/api/v2", limit=100,
                      fetcher=f)
    assert got.records == 250
    assert any("cut short" in p.reason and "offset 100" in p.where for p in got.problems)


def test_station_list_and_real_time_snapshot_through_the_readers(server, tmp_path):
    f, _ = fast()
    fetch_moenv("aqx_p_07", tmp_path / "st.json", api_key=KEY, base_url=server.url + "/api/v2", fetcher=f)
    st = read_moenv_stations(tmp_path / "st.json")
    assert len(st) == 80 and (st["registry"] == "same").all()
    fetch_moenv("aqx_p_432", tmp_path / "now.json", api_key=KEY, base_url=server.url + "/api/v2", limit=50, fetcher=f)
    now = read_moenv_hourly(tmp_path / "now.json")
    assert now["station"].nunique() == 84 and now.attrs["generation"] == "lower"


def test_no_key_and_unknown_dataset_are_input_errors(tmp_path):
    from geoairplan.errors import InputError
    with pytest.raises(InputError, match="MOENV_API_KEY"):
        fetch_moenv("aqx_p_432", tmp_path / "x.json", api_key="")
    with pytest.raises(InputError, match="unknown MOENV data set"):
        fetch_moenv("weather", tmp_path / "x.json", api_key=KEY)


def test_cli_fetch_moenv_reads_the_key_from_the_environment(server, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MOENV_API_KEY", KEY)
    server.script = {"/api/v2/aqx_p_488@0": ["429"]}
    out = tmp_path / "cli.json"
    rc = main(["fetch", "moenv", "aqx_p_488", "--from", "2024-01-02", "--to", "2024-01-02 23:00", "--out", str(out),
               "--base-url", server.url + "/api/v2", "--no-cache", "-v"])
    cap = capsys.readouterr()
    assert rc == 0 and KEY not in cap.out + cap.err and "api_key=***" in cap.err
    df = read_moenv_hourly(out)
    assert df["time"].min() == pd.Timestamp("2024-01-02 00:00", tz="Asia/Taipei")
    assert df["time"].max() == pd.Timestamp("2024-01-02 23:00", tz="Asia/Taipei")
    assert "wrote 48 records" in cap.out


# ----------------------------------------------------------------------------- SensorThings


def _thing(i, name, lon, lat, obs, obs_next=None):
    ds = {"@iot.id": 100 + i, "name": "PM2.5", "unitOfMeasurement": {"symbol": "μg/m3"}, "Observations": obs}
    if obs_next:
        ds["Observations@iot.nextLink"] = obs_next
    return {"@iot.id": i, "name": name, "Locations": [{"location": {"type": "Point", "coordinates": [lon, lat]}}],
            "Datastreams": [ds]}


def _obs(times_utc, base):
    return [{"phenomenonTime": t, "result": base + k} for k, t in enumerate(times_utc)]


def test_sensorthings_nextlinks_retries_county_filter_and_the_sensor_reader(server, tmp_path):
    u = server.url
    # 2024-01-01 01:10 and 01:40 Taiwan = 2023-12-31T17:10Z, 17:40Z; 02:20 Taiwan = 18:20Z
    server.sta = {
        "/sta/v1.0/Things/p2": {"value": [_thing(3, "dev-C", 120.55, 22.52, _obs(["2023-12-31T17:10:00.000Z"], 30),
                                                 obs_next=f"{u}/sta/v1.0/Datastreams(103)/Observations/p2")]},
        "/sta/v1.0/Datastreams(103)/Observations/p2": {"value": _obs(["2023-12-31T17:40:00.000Z",
                                                                      "2023-12-31T18:20:00.000Z"], 40)},
    }
    first = [_thing(1, "dev-A", 120.49, 22.67, _obs(["2023-12-31T17:10:00.000Z", "2023-12-31T17:40:00.000Z"], 10)),
             _thing(2, "dev-B", 120.30, 22.63, _obs(["2023-12-31T17:10:00.000Z"], 99)),   # 高雄市, in the bbox
             _thing(4, "dev-D", 120.49, 22.60, [{"phenomenonTime": "2023-12-31T17:15:00.000Z", "result": "NaN"}])]
    server.script = {"/sta/v1.0/Things/p2@*": ["500"]}

    class Root(dict):
        pass
    server.sta["/sta/v1.0/Things"] = {"value": first, "@iot.nextLink": f"{u}/sta/v1.0/Things/p2"}
    f, lines = fast()
    out = tmp_path / "sensors.csv"
    got = fetch_sensors(u + "/sta/v1.0", "屏東縣", "2024-01-01 00:00", "2024-01-02 00:00", out, fetcher=f)
    first_q = urllib.parse.unquote(server.log[0])
    assert "st_within(Locations/location" in first_q and "$expand=Locations" in first_q
    assert "Observations($filter=phenomenonTime ge 2023-12-31T16:00:00.000Z" in first_q
    assert got.requests == 4 and got.devices == 2       # 3 pages + one retried 500; dev-B outside, dev-D no value
    df = pd.read_csv(out, dtype=str)
    assert list(df.columns) == ["device_id", "lon", "lat", "time", "pm2.5"]
    assert df["time"].tolist()[:2] == ["2024-01-01 01:10:00", "2024-01-01 01:40:00"]
    assert set(df["device_id"]) == {"dev-A", "dev-C"} and len(df) == 5
    assert any("outside 屏東縣" in p.reason for p in got.problems)
    assert any("NaN" in p.reason for p in got.problems)
    s = read_sensors(out)
    a = s[s["sensor"] == "dev-A"]
    assert a["pm25"].tolist() == [10.5] and a["time"].iloc[0] == pd.Timestamp("2024-01-01 02:00")


def test_sensorthings_nextlink_to_another_host_is_refused(server, tmp_path):
    server.sta["/sta/v1.0/Things"] = {"value": [], "@iot.nextLink": "http://192.0.2.1/sta/v1.0/Things?$skip=1"}
    f, _ = fast()
    with pytest.raises(FetchError, match="another address"):
        fetch_sensors(server.url + "/sta/v1.0", "屏東縣", "2024-01-01", "2024-01-02", tmp_path / "x.csv", fetcher=f)
    assert len(server.log) == 1


def test_cli_fetch_sensors(server, tmp_path, capsys):
    server.sta["/sta/v1.0/Things"] = {"value": [_thing(1, "dev-A", 120.49, 22.67,
                                                       _obs(["2024-01-01T00:30:00.000Z"], 12))]}
    out = tmp_path / "s.csv"
    rc = main(["fetch", "sensors", "--endpoint", server.url + "/sta/v1.0", "--county", "屏東", "--from", "2024-01-01",
               "--to", "2024-01-02", "--out", str(out), "--no-cache"])
    assert rc == 0 and "wrote 1 readings of 1 sensors" in capsys.readouterr().out
    assert read_sensors(out)["pm25"].tolist() == [12.0]
