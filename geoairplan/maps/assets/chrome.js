
var GAP = {
 layer: function(fc, o) {
  var st = o.styles || [{}];
  var pane = o.pane || 'overlayPane';
  var lay = L.geoJson(fc, {
   pane: pane, interactive: o.interactive !== false,
   style: function(f) { return st[f.properties.s || 0]; },
   pointToLayer: function(f, ll) {
    return L.circleMarker(ll, Object.assign({pane: pane}, st[f.properties.s || 0]));
   },
   onEachFeature: function(f, l) {
    var p = f.properties;
    if (p.t != null) l.bindTooltip(o.tips ? o.tips[p.t] : p.t, {sticky: !o.points, direction: 'top'});
    if (p.p != null) l.bindPopup(p.p, {maxWidth: 360});
    if (o.hl) {
     l.on('mouseover', function() { l.setStyle(o.hl); });
     l.on('mouseout', function() { l.setStyle(st[l.feature.properties.s || 0]); });
    }
   }
  });
  lay._gapTips = o.tips;
  lay._gapName = o.name; lay._gapPane = pane;
  if (o.name && pane === 'overlayPane') GAP.layers.push(lay);
  if (o.towns) GAP.towns = lay;
  if (o.cluster) { var g = L.markerClusterGroup(o.cluster); g.addLayer(lay); return g; }
  return lay;
 },
 layers: [], towns: null, phone: function() { return !!(window.matchMedia && window.matchMedia('(max-width: 600px)').matches); },
 control: function(map, pos, cls, inner, collapse) {
  var c = L.control({position: pos});
  c.onAdd = function() {
   var d = L.DomUtil.create('div', cls);
   d.innerHTML = inner;
   L.DomEvent.disableClickPropagation(d); L.DomEvent.disableScrollPropagation(d);
   if (collapse) d.setAttribute('data-gap-fold', '1');
   return d;
  };
  c.addTo(map);
  return c;
 },
 chrome: function(map, title, note) {
  var t = L.DomUtil.create('div', 'gap-title', map.getContainer());
  t.innerHTML = title;
  L.control.scale({imperial: false, position: 'bottomleft'}).addTo(map);
  GAP.control(map, 'bottomleft', 'gap-note', note, false);
  GAP.map = map;
  var fb = map.fitBounds;
  map.fitBounds = function(b, opt) {
   // no animation: a zoom animation still running would overrule the fit that follows
   if (!map._gapFitting) map._gapBounds = L.latLngBounds(b);
   return fb.call(map, b, L.extend({animate: false}, opt));
  };
  GAP.wheel(map);
  GAP.button(map, 'gap-reset', '&#8634;', '重設視野 Reset view', function() { GAP.fit(map, false); });
  setTimeout(function() {
   if (GAP.towns) GAP.search(map);
   if (GAP.layers.length) GAP.download(map);
   GAP.fit(map, true);
   // fit again whenever the controls change size (the web font arriving, a legend folding) until the
   // user moves the map
   var queued = false, again = function() {
    if (queued || map._gapTouched) return; queued = true;
    requestAnimationFrame(function() { queued = false; if (!map._gapTouched) GAP.fit(map, true); });
   };
   if (window.ResizeObserver) {
    var ro = new ResizeObserver(again), cs = map._controlCorners;
    for (var k in cs) ro.observe(cs[k]);
    var tt = map.getContainer().querySelector('.gap-title'); if (tt) ro.observe(tt);
   }
   if (document.fonts && document.fonts.ready) document.fonts.ready.then(again);
   window.addEventListener('load', again);
  }, 0);
  ['mousedown', 'touchstart', 'wheel', 'keydown'].forEach(function(ev) {
   // capture: also taps on controls (a legend the user opens must stay open), which stop propagation
   map.getContainer().addEventListener(ev, function() { map._gapTouched = true; }, {passive: true, capture: true});
  });
 },
 wheel: function(map) {
  // the page scrolls over the map; the wheel zooms only after a click on the map or with Ctrl/⌘/Shift
  map.scrollWheelZoom.disable();
  var c = map.getContainer();
  map.on('click', function() { map.scrollWheelZoom.enable(); });
  c.addEventListener('mouseleave', function() { map.scrollWheelZoom.disable(); });
  c.addEventListener('wheel', function(e) {
   if (map.scrollWheelZoom.enabled() || !(e.ctrlKey || e.metaKey || e.shiftKey)) return;
   e.preventDefault();
   var z = map.getZoom() + (e.deltaY < 0 ? 0.5 : -0.5);
   map.setZoomAround(map.mouseEventToContainerPoint(e), z);
  }, {passive: false});
 },
 button: function(map, cls, label, title, fn) {
  var c = L.control({position: 'topleft'});
  c.onAdd = function() {
   var d = L.DomUtil.create('div', 'leaflet-bar gap-btn ' + cls);
   var a = L.DomUtil.create('a', '', d); a.href = '#'; a.innerHTML = label; a.title = title;
   a.setAttribute('role', 'button'); a.setAttribute('aria-label', title);
   L.DomEvent.disableClickPropagation(d); L.DomEvent.disableScrollPropagation(d);
   L.DomEvent.on(a, 'click', function(e) { L.DomEvent.preventDefault(e); fn(d, e); });
   return d;
  };
  c.addTo(map);
  return c;
 },
 corners: function(map) {
  var out = {}, cs = map._controlCorners;
  for (var k in cs) {
   var w = 0, h = 0, ch = cs[k].children;
   for (var i = 0; i < ch.length; i++) {
    var r = ch[i].getBoundingClientRect(); if (!r.width || !r.height) continue;
    w = Math.max(w, r.width + 10); h += r.height + 10;
   }
   out[k] = {w: w, h: h};
  }
  return out;
 },
 padding: function(map) {
  // each corner's controls are kept off the data either by a side margin or by a top/bottom margin:
  // try the 16 choices, keep the one that shows the data largest
  var cs = GAP.corners(map), t = map.getContainer().querySelector('.gap-title');
  var th = t ? t.getBoundingClientRect().height + 14 : 0;
  var best = null, keys = ['topleft', 'topright', 'bottomleft', 'bottomright'];
  for (var m = 0; m < 16; m++) {
   var p = {l: 8, r: 8, t: Math.max(8, th), b: 8};
   keys.forEach(function(k, i) {
    var c = cs[k]; if (!c || !c.w) return;
    var side = (m >> i) & 1;
    if (side) { if (k.indexOf('left') > 0) p.l = Math.max(p.l, c.w); else p.r = Math.max(p.r, c.w); }
    else { if (k.indexOf('top') === 0) p.t = Math.max(p.t, c.h); else p.b = Math.max(p.b, c.h); }
   });
   var z = map.getBoundsZoom(map._gapBounds, false, L.point(p.l + p.r, p.t + p.b));
   if (!best || z > best.z) best = {z: z, p: p};
  }
  return best;
 },
 overlaps: function(map) {
  var els = map.getContainer().querySelectorAll('.leaflet-control, .gap-title'), rs = [];
  for (var i = 0; i < els.length; i++) { var r = els[i].getBoundingClientRect(); if (r.width && r.height) rs.push(r); }
  for (i = 0; i < rs.length; i++) for (var j = i + 1; j < rs.length; j++) {
   var a = rs[i], b = rs[j];
   if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) return true;
  }
  return false;
 },
 fit: function(map, first) {
  if (!map._gapBounds) return;
  var c = map.getContainer();
  if (first) {
   // legends start open; fold them (last added first) while controls overlap or hide much of the data
   var size = map.getSize(), bare = map.getBoundsZoom(map._gapBounds, false, L.point(16, 16));
   var open = [].slice.call(c.querySelectorAll('[data-gap-fold] details[open]'));
   while (open.length) {
    var b = GAP.padding(map);
    if (!GAP.overlaps(map) && b.z >= bare - (size.x < 600 ? 1 : 0.75)) break;
    open.pop().removeAttribute('open');
   }
  }
  var best = GAP.padding(map);
  map._gapFitting = true;
  map.fitBounds(map._gapBounds, {paddingTopLeft: [best.p.l, best.p.t], paddingBottomRight: [best.p.r, best.p.b],
                                 animate: false});
  map._gapFitting = false;
  map._gapView = {center: map.getCenter(), zoom: map.getZoom()};
 },
 search: function(map) {
  var lay = GAP.towns, names = [];
  function norm(s) { return String(s || '').replace(/台/g, '臺').replace(/\s+/g, ''); }
  lay.eachLayer(function(l) { var p = l.feature.properties; if (p.n) names.push(p.n); });
  var c = L.control({position: 'topleft'}), hit = null;
  c.onAdd = function() {
   var d = L.DomUtil.create('div', 'leaflet-bar gap-search');
   d.innerHTML = '<a href="#" role="button" title="找鄉鎮 Find a township" aria-label="找鄉鎮 Find a township">' +
    '<svg width="16" height="16" viewBox="0 0 16 16" style="vertical-align:-3px"><circle cx="6.5" cy="6.5" r="4.5" ' +
    'fill="none" stroke="#222" stroke-width="2"/><path d="M10 10l4.5 4.5" stroke="#222" stroke-width="2.2"/></svg></a>' +
    '<form hidden><input type="search" list="gap-towns" placeholder="鄉鎮市區 Township" aria-label="鄉鎮市區 Township">' +
    '<datalist id="gap-towns"></datalist><span class="gap-msg"></span></form>';
   var dl = d.querySelector('datalist'), f = d.querySelector('form'), inp = d.querySelector('input');
   var msg = d.querySelector('.gap-msg');
   names.slice().sort().forEach(function(n) { var o = document.createElement('option'); o.value = n; dl.appendChild(o); });
   L.DomEvent.disableClickPropagation(d); L.DomEvent.disableScrollPropagation(d);
   L.DomEvent.on(d.querySelector('a'), 'click', function(e) {
    L.DomEvent.preventDefault(e); f.hidden = !f.hidden; if (!f.hidden) inp.focus();
   });
   function go(e) {
    if (e) L.DomEvent.preventDefault(e);
    var q = norm(inp.value); if (!q) return;
    var found = [];
    lay.eachLayer(function(l) {
     var n = norm(l.feature.properties.n), full = norm(l.feature.properties.n + (l.feature.properties.c || ''));
     if (n === q || full === q || norm((l.feature.properties.c || '') + l.feature.properties.n) === q) found.unshift(l);
     else if (n.indexOf(q) === 0 || n.replace(/[鄉鎮市區]$/, '') === q) found.push(l);
    });
    if (hit) lay.resetStyle(hit);
    if (!found.length) { msg.textContent = '找不到 Not found'; return; }
    msg.textContent = '';
    hit = found[0];
    hit.setStyle({weight: 4, color: '#0033cc', fillOpacity: 0.2});
    hit.bringToFront && hit.bringToFront();
    map.fitBounds(hit.getBounds(), {padding: [40, 40], maxZoom: 13, animate: false});
    hit.openTooltip(hit.getBounds().getCenter());
    GAP.found = hit.feature.properties.n;
   }
   L.DomEvent.on(f, 'submit', go);
   inp.addEventListener('change', go);
   return d;
  };
  c.addTo(map);
 },
 props: function(l) {
  // the layer's data as people read it: the popup's (or tooltip's) field names and values
  var p = l.feature.properties, out = {}, html = p.p != null ? p.p : (p.t != null ? p.t : null);
  if (html == null && p.tt && l.getTooltip()) html = l.getTooltip().getContent();
  if (typeof html === 'number' && l.getTooltip()) html = l.getTooltip().getContent();
  if (html == null) return out;
  var t = document.createElement('template'); t.innerHTML = String(html);
  var rows = t.content.querySelectorAll('tr');
  if (rows.length) {
   rows.forEach(function(r) { var th = r.querySelector('th'), td = r.querySelector('td');
    if (th && td) out[th.textContent] = td.textContent; });
   return out;
  }
  var bs = t.content.querySelectorAll('b');
  if (bs.length) {
   bs.forEach(function(b) { var v = b.nextSibling; out[b.textContent] = v ? String(v.textContent).trim() : ''; });
   return out;
  }
  out['名稱 Name'] = t.content.textContent;
  return out;
 },
 geojson: function(lay) {
  var fs = [];
  lay.eachLayer(function(l) {
   if (!l.feature) return;
   var g = l.toGeoJSON(6); fs.push({type: 'Feature', properties: GAP.props(l), geometry: g.geometry});
  });
  var tx = document.createElement('textarea'); tx.innerHTML = lay._gapName;
  return {type: 'FeatureCollection', name: tx.value, features: fs};
 },
 download: function(map) {
  var c = L.control({position: 'topleft'});
  c.onAdd = function() {
   var d = L.DomUtil.create('div', 'leaflet-bar gap-dl');
   d.innerHTML = '<a href="#" role="button" title="下載圖層資料 Download layer data" ' +
    'aria-label="下載圖層資料 Download layer data">&#10515;</a><ul hidden></ul>';
   var ul = d.querySelector('ul');
   L.DomEvent.disableClickPropagation(d); L.DomEvent.disableScrollPropagation(d);
   L.DomEvent.on(d.querySelector('a'), 'click', function(e) {
    L.DomEvent.preventDefault(e);
    ul.hidden = !ul.hidden; if (ul.hidden) return;
    ul.innerHTML = '';
    GAP.layers.forEach(function(lay) {
     var li = document.createElement('li'), a = document.createElement('a');
     var blob = new Blob([JSON.stringify(GAP.geojson(lay))], {type: 'application/geo+json'});
     a.href = URL.createObjectURL(blob);
     var tx = document.createElement('textarea'); tx.innerHTML = lay._gapName;  // the name is escaped HTML
     a.download = tx.value.replace(/[\\/:*?"<>|]+/g, '_') + '.geojson';
     a.innerHTML = lay._gapName + ' (GeoJSON)';
     li.appendChild(a); ul.appendChild(li);
    });
   });
   return d;
  };
  c.addTo(map);
 },
 readout: function(map, o) {
  var b = o.bounds, P = L.CRS.EPSG3857;
  var nw = P.project(L.latLng(b[3], b[0])), se = P.project(L.latLng(b[1], b[2]));
  var rows = Math.ceil(o.rows / o.k), cols = Math.ceil(o.cols / o.k);
  var gs = o.grids.map(function(g) {
   var bin = atob(g.b64), u = new Uint16Array(bin.length / 2);
   for (var i = 0; i < u.length; i++) u[i] = bin.charCodeAt(2 * i) | (bin.charCodeAt(2 * i + 1) << 8);
   return {label: g.label, lo: g.lo, step: g.step, d: g.d, q: u};
  });
  GAP.sample = function(ll) {
   var p = P.project(ll);
   var c = Math.floor((p.x - nw.x) / (se.x - nw.x) * o.cols), r = Math.floor((p.y - nw.y) / (se.y - nw.y) * o.rows);
   if (c < 0 || r < 0 || c >= o.cols || r >= o.rows) return null;
   r = Math.floor(r / o.k); c = Math.floor(c / o.k);
   var out = gs.map(function(g) { var v = g.q[r * cols + c]; return v === 65535 ? null : g.lo + v * g.step; });
   return out[0] == null ? null : out;
  };
  map.on('click', function(e) {
   var v = GAP.sample(e.latlng); if (!v) return;
   var h = '<table class="gap-pop gap-readout">';
   gs.forEach(function(g, i) {
    h += '<tr><th>' + g.label + '</th><td>' + (v[i] == null ? '–' : v[i].toFixed(g.d) + ' ' + o.unit) + '</td></tr>';
   });
   h += '<tr><th>位置 At</th><td>' + e.latlng.lat.toFixed(5) + ', ' + e.latlng.lng.toFixed(5) + '</td></tr></table>';
   L.popup({maxWidth: 320}).setLatLng(e.latlng).setContent(h).openOn(map);
  });
 },
 slider: function(map, lay, o) {
  var st = o.styles, times = o.times, i = 0, timer = null;
  var c = L.control({position: 'bottomleft'});
  var lab, rng, btn;
  function show(k) {
   i = k; rng.value = k; lab.innerHTML = times[k];
   GAP.step(lay, o, k);
   lay._gapIndex = k;
   (lay._gapFollow || []).forEach(function(f) { GAP.step(f[0], f[1], k); });
  }
  c.onAdd = function() {
   var d = L.DomUtil.create('div', 'gap-slider');
   d.innerHTML = '<div><b>' + o.title + '</b> <span class="gap-time"></span></div>';
   lab = d.querySelector('.gap-time');
   var prev = L.DomUtil.create('button', 'gap-prev', d); prev.type = 'button'; prev.innerHTML = '&#9664;';
   prev.title = '上一小時 Previous hour'; prev.setAttribute('aria-label', prev.title);
   btn = L.DomUtil.create('button', 'gap-play', d); btn.type = 'button'; btn.innerHTML = '&#9654;';
   btn.title = '播放／暫停 Play / pause'; btn.setAttribute('aria-label', btn.title);
   var next = L.DomUtil.create('button', 'gap-next', d); next.type = 'button'; next.innerHTML = '&#9654;&#10073;';
   next.title = '下一小時 Next hour'; next.setAttribute('aria-label', next.title);
   prev.addEventListener('click', function() { show(Math.max(0, i - 1)); });
   next.addEventListener('click', function() { show(Math.min(times.length - 1, i + 1)); });
   rng = L.DomUtil.create('input', '', d); rng.type = 'range'; rng.min = 0; rng.max = times.length - 1;
   rng.step = 1; rng.value = 0; rng.setAttribute('aria-label', 'time');
   L.DomEvent.disableClickPropagation(d); L.DomEvent.disableScrollPropagation(d);
   rng.addEventListener('input', function() { show(parseInt(rng.value, 10)); });
   btn.addEventListener('click', function() {
    if (timer) { clearInterval(timer); timer = null; btn.innerHTML = '&#9654;'; return; }
    btn.innerHTML = '&#10074;&#10074;';
    timer = setInterval(function() { show((i + 1) % times.length); }, o.ms || 700);
   });
   return d;
  };
  c.addTo(map);
  show(o.start || 0);
  lay._gapShow = show;
  return c;
 },
 step: function(lay, o, k) {
  lay.eachLayer(function(l) {
   var p = l.feature.properties;
   l.setStyle(o.styles[p.c[k]]);
   var tips = o.tips || lay._gapTips;
   if (p.tt && tips) l.setTooltipContent(tips[p.tt[k]]);
  });
 },
 exclusive: function(map, items, o) {
  var c = L.control({position: o.position || 'topright'}), sel = o.selected || 0;
  function pick(k) {
   sel = k;
   items.forEach(function(it, j) {
    it[0].forEach(function(l) {
     if (j === k && !map.hasLayer(l)) map.addLayer(l);
     if (j !== k && map.hasLayer(l)) map.removeLayer(l);
    });
   });
   var show = items[k][1];
   items.forEach(function(it) {
    it[1].forEach(function(ctl) {
     var d = ctl.getContainer(); if (d) d.style.display = show.indexOf(ctl) >= 0 ? '' : 'none';
    });
   });
  }
  c.onAdd = function() {
   var d = L.DomUtil.create('div', 'gap-legend gap-themes');
   var h = '<details open><summary>' + o.title + '</summary>';
   items.forEach(function(it, j) {
    h += '<label><input type="radio" name="' + o.id + '" value="' + j + '"' + (j === sel ? ' checked' : '') +
         '> ' + it[2] + '</label>';
   });
   d.innerHTML = h + '</details>';
   d.setAttribute('data-gap-fold', '1');  // folds like a legend where the controls would overlap
   L.DomEvent.disableClickPropagation(d); L.DomEvent.disableScrollPropagation(d);
   d.addEventListener('change', function(e) {
    if (e.target.name === o.id) pick(parseInt(e.target.value, 10));
   });
   return d;
  };
  c.addTo(map);
  pick(sel);
  return c;
 },
 follow: function(lead, lay, o) {
  (lead._gapFollow = lead._gapFollow || []).push([lay, o]);
  GAP.step(lay, o, lead._gapIndex || 0);
 }
};
