
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
  if (o.cluster) { var g = L.markerClusterGroup(o.cluster); g.addLayer(lay); return g; }
  return lay;
 },
 control: function(map, pos, cls, inner, collapse) {
  var c = L.control({position: pos});
  c.onAdd = function() {
   var d = L.DomUtil.create('div', cls);
   d.innerHTML = inner;
   L.DomEvent.disableClickPropagation(d); L.DomEvent.disableScrollPropagation(d);
   if (collapse && window.matchMedia && window.matchMedia('(max-width: 600px)').matches) {
    var det = d.querySelector('details'); if (det) det.removeAttribute('open');
   }
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
   btn = L.DomUtil.create('button', '', d); btn.type = 'button'; btn.innerHTML = '&#9654;';
   btn.title = 'play / pause';
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
