// stillmotion studio: the page's logic. Plain JavaScript, no build step, no network beyond this server.
"use strict";

const $ = (id) => document.getElementById(id);
const state = {
  file: null,        // the photo picked on this page (a File)
  sourceJob: null,   // or: an earlier job whose photo to reuse (opened from the gallery)
  job: null,         // the job shown in the result panel
  events: null,      // its EventSource
  poll: null,        // fallback timer when events are not available
  offset: 0,
  planOrigin: "job", // the plan in the editor: "job" (the job shown), "preview" (of the photo here) or "video" (read from one)
  videoPlan: null,   // {name, photo}: the video a plan was read from, and its photo's name
  audioFile: null,   // the user's own sound file picked on this page (a File)
  options: {},       // the server's option schema, from /api/info
  models: {},        // the neural models, and which make sound, from /api/info
  localPhoto: null,  // {id, url}: the photo this page sent for a job, shown until the server's thumbnail exists
};
const PAGE = 12;
const STAGES = {
  starting: "Starting",
  load: "Reading the photo",
  analyse: "Understanding the scene: depth, sky, faces",
  plan: "Planning the motion",
  prepare: "Preparing the render: depth layers and masks",
  render: "Rendering frames",
  encode: "Encoding the video",
};

// ---------- helpers -------------------------------------------------------------------------
async function api(path, options = {}) {
  let response;
  try {
    response = await fetch(path, options);
  } catch (err) {
    throw new Error("The studio server cannot be reached. Is `stillmotion serve` still running?");
  }
  let body = null;
  const type = response.headers.get("content-type") || "";
  if (type.includes("application/json")) body = await response.json();
  if (!response.ok) {
    if (response.status === 401) throw new Error("This studio needs a token: open it as /?token=YOUR_TOKEN.");
    if (response.status === 413) throw new Error((body && body.error) || "The photo is too large.");
    throw new Error((body && body.error) || `The server answered ${response.status}.`);
  }
  return body;
}

function showError(el, message) {
  el.textContent = message || "";
  el.hidden = !message;
}

function timeAgo(iso) {
  if (!iso) return "";
  const seconds = (Date.now() - Date.parse(iso)) / 1000;
  if (seconds < 60) return "just now";
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return new Date(iso).toLocaleDateString();
}

function selected(name) {
  const input = document.querySelector(`input[name="${name}"]:checked`);
  return input ? input.value : "";
}

// ---------- the photo -----------------------------------------------------------------------
const drop = $("drop");
const fileInput = $("file");

function setPhoto(file) {
  // A video made by stillmotion carries its plan: dropped here, it opens in the plan editor.
  if (file.type.startsWith("video/") || /\.(mp4|webm|mov)$/i.test(file.name)) { openVideoPlan(file); return; }
  const looksLikeImage = file.type.startsWith("image/") || /\.(heic|heif|jpe?g|png|webp|tiff?|bmp)$/i.test(file.name);
  if (!looksLikeImage) {
    showError($("error"), `"${file.name}" does not look like a photo. Choose a JPEG, PNG, WebP, TIFF or HEIC file.`);
    return;
  }
  showError($("error"), "");
  state.file = file;
  state.sourceJob = null;
  const preview = $("preview");
  if (preview.dataset.url) URL.revokeObjectURL(preview.dataset.url);
  preview.dataset.url = URL.createObjectURL(file);
  preview.src = preview.dataset.url;
  preview.alt = `Preview of ${file.name}`;
  showPhotoChosen(file.name);
}

function showNoPhoto(hint) {
  state.file = null;
  state.sourceJob = null;
  $("preview").hidden = true;
  $("drop-empty").hidden = false;
  $("drop-info").hidden = true;
  drop.classList.remove("has-photo");
  drop.setAttribute("aria-label", hint);
  $("drop-empty").querySelector("strong").textContent = hint;
}

function showPhotoChosen(name) {
  $("drop-empty").querySelector("strong").textContent = "Drop a photo here";
  $("preview").hidden = false;
  $("drop-empty").hidden = true;
  $("drop-info").hidden = false;
  $("file-name").textContent = name;
  drop.classList.add("has-photo");
  drop.setAttribute("aria-label", `Photo chosen: ${name}. Press Enter to choose another.`);
}

$("preview").addEventListener("error", () => {
  // Some formats (HEIC) cannot be previewed by the browser; the server still reads them.
  $("preview").hidden = true;
});
drop.addEventListener("click", () => fileInput.click());
drop.addEventListener("keydown", (e) => {
  if (e.key === "Enter" || e.key === " ") { e.preventDefault(); fileInput.click(); }
});
fileInput.addEventListener("change", () => { if (fileInput.files[0]) setPhoto(fileInput.files[0]); fileInput.value = ""; });
["dragenter", "dragover"].forEach((type) => drop.addEventListener(type, (e) => { e.preventDefault(); drop.classList.add("over"); }));
["dragleave", "drop"].forEach((type) => drop.addEventListener(type, (e) => { e.preventDefault(); drop.classList.remove("over"); }));
drop.addEventListener("drop", (e) => { const file = e.dataTransfer.files[0]; if (file) setPhoto(file); });
// Dropping a photo anywhere on the page should not navigate away from it.
window.addEventListener("dragover", (e) => e.preventDefault());
window.addEventListener("drop", (e) => { e.preventDefault(); const file = e.dataTransfer && e.dataTransfer.files[0]; if (file) setPhoto(file); });

// ---------- the form ------------------------------------------------------------------------
document.querySelectorAll(".chip").forEach((chip) => chip.addEventListener("click", () => {
  const prompt = $("prompt");
  prompt.value = chip.textContent;
  prompt.focus();
}));
document.querySelectorAll('input[name="duration"]').forEach((radio) => radio.addEventListener("change", () => {
  $("custom-wrap").hidden = selected("duration") !== "custom";
}));
$("strength").addEventListener("input", () => { $("strength-out").value = Number($("strength").value).toFixed(2); });
$("prompt").addEventListener("keydown", (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) generate(); });

function readOptions() {
  let duration = selected("duration");
  if (duration === "custom") {
    const value = Number($("custom-duration").value);
    const { minimum, maximum } = state.options.duration || {};
    if (!(value >= minimum && value <= maximum)) throw new Error(`Choose a custom duration between ${minimum} and ${maximum} seconds.`);
    duration = String(value);
  }
  const options = {
    prompt: $("prompt").value.trim(),
    duration,
    aspect: selected("aspect"),
    resolution: $("resolution").value,
    strength: $("strength").value,
    loop: $("loop").checked ? "true" : "false",
    format: $("format").value,
  };
  if ($("camera").value) options.camera = $("camera").value;
  Object.assign(options, engineOptions(), soundOptions());
  return options;
}

function engineOptions() {
  if ($("engine-row").hidden || $("engine").value === "cpu") return {};
  return { engine: $("engine").value, model: $("model").value };
}

// "auto" is the default and is not sent: the prompt's own words ("silent") still count then.
function soundOptions() {
  const sound = selected("sound");
  const options = {};
  if (sound === "none" || sound === "model") options.audio = sound;
  const volume = Number($("volume").value);
  if (sound !== "none" && volume !== state.options.audio_volume.default) options.audio_volume = String(volume);
  return options;
}

// The user's own sound file goes with the form when "My music" is chosen.
function soundFile(form, required) {
  if (selected("sound") !== "file") return;
  if (state.audioFile) form.append("audio_file", state.audioFile, state.audioFile.name);
  else if (required) throw new Error("Choose a sound file for “My music”, or pick another sound.");
}

function photoFields(form) {
  if (state.file) form.append("photo", state.file, state.file.name);
  else if (state.sourceJob) form.append("photo_from", state.sourceJob);
  else throw new Error("Choose a photo first: drop it in the box or press it to pick one.");
}

async function submitJob(fields, usePhoto = true, withSound = false) {
  const form = new FormData();
  if (usePhoto) photoFields(form);
  if (withSound) soundFile(form, true);
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  const answer = await api("/api/jobs", { method: "POST", body: form });
  if (usePhoto && state.file) state.localPhoto = { id: answer.id, url: $("preview").dataset.url };
  await openJob(answer.id);
  loadGallery(true);
}

async function generate() {
  const button = $("generate");
  showError($("error"), "");
  try {
    const options = readOptions();
    button.disabled = true;
    button.textContent = "Sending…";
    await submitJob(options, true, true);
    if (window.matchMedia("(max-width: 920px)").matches) $("result").scrollIntoView({ block: "start" });
  } catch (err) {
    showError($("error"), err.message);
  } finally {
    button.disabled = false;
    button.textContent = "Generate";
  }
}
$("generate").addEventListener("click", generate);

$("preview-plan").addEventListener("click", async () => {
  showError($("error"), "");
  const button = $("preview-plan");
  try {
    if (!state.file) throw new Error(state.sourceJob
      ? "Open the plan of this job below, or choose a photo to preview a new plan."
      : "Choose a photo first: drop it in the box or press it to pick one.");
    const options = readOptions();
    delete options.format;
    const form = new FormData();
    form.append("photo", state.file, state.file.name);
    soundFile(form, true);
    for (const [key, value] of Object.entries(options)) form.append(key, value);
    button.disabled = true;
    button.textContent = "Planning…";
    const answer = await api("/api/plan", { method: "POST", body: form });
    state.planOrigin = "preview";
    showPlan(answer.plan, answer.explanation);
    $("plan-panel").open = true;
    $("plan-panel").scrollIntoView({ block: "nearest" });
  } catch (err) {
    showError($("error"), err.message);
  } finally {
    button.disabled = false;
    button.textContent = "Preview plan";
  }
});

// ---------- the plan ------------------------------------------------------------------------
function showPlan(plan, explanation) {
  const list = $("explanation");
  list.replaceChildren();
  const notes = explanation && explanation.length ? explanation : ["The director made no special choices for this photo."];
  for (const note of notes) {
    const item = document.createElement("li");
    item.textContent = note;
    list.append(item);
  }
  $("plan-json").value = plan ? JSON.stringify(plan, null, 2) : "";
  $("rerender").disabled = !plan;
  showError($("plan-error"), "");
}

$("rerender").addEventListener("click", async () => {
  showError($("plan-error"), "");
  let text = $("plan-json").value;
  try {
    JSON.parse(text);
  } catch (err) {
    showError($("plan-error"), `The plan is not valid JSON: ${err.message}`);
    return;
  }
  try {
    const form = new FormData();
    planPhoto(form);
    soundFile(form, false);  // optional here: the plan has its own sound
    form.append("plan", text);
    form.append("format", $("format").value);
    Object.entries(engineOptions()).forEach(([key, value]) => form.append(key, value));
    const answer = await api("/api/jobs", { method: "POST", body: form });
    state.planOrigin = "job";
    await openJob(answer.id);
    loadGallery(true);
  } catch (err) {
    showError($("plan-error"), err.message);
  }
});

// The photo a plan renders from: the one previewed here, the original of a video's plan (found
// among the studio's jobs, or chosen here), or the shown job's.
function planPhoto(form) {
  if (state.planOrigin === "preview" && state.file) form.append("photo", state.file, state.file.name);
  else if (state.planOrigin === "video") {
    if (state.file) form.append("photo", state.file, state.file.name);
    else if (state.sourceJob) form.append("photo_from", state.sourceJob);
    else throw new Error(`Choose the original photo (${state.videoPlan.photo}) first: drop it in the photo box.`);
  } else if (state.job) form.append("photo_from", state.job.id);
  else photoFields(form);
}

// ---------- a video's own plan ----------------------------------------------------------------
async function openVideoPlan(file) {
  showError($("plan-error"), "");
  showError($("error"), "");
  const source = $("plan-source");
  source.hidden = false;
  source.textContent = `Reading the plan of “${file.name}”…`;
  $("plan-panel").open = true;
  try {
    const form = new FormData();
    form.append("video", file, file.name);
    const answer = await api("/api/plan/from-video", { method: "POST", body: form });
    const plan = answer.plan;
    state.planOrigin = "video";
    state.videoPlan = { name: file.name, photo: plan.photo };
    showPlan(plan, answer.explanation);
    const notes = [`Plan of “${file.name}”.`];
    if (answer.photo_job) {
      state.file = null;
      state.sourceJob = answer.photo_job;
      showPhotoChosen(`the original photo (${plan.photo}), from the gallery`);
      $("preview").src = `/api/jobs/${answer.photo_job}/thumbnail`;
      notes.push("Its photo is in the gallery: it will be used.");
    } else {
      showNoPhoto(`Drop the original photo: ${plan.photo}`);
      notes.push(`Choose its original photo (${plan.photo}) in the photo box: another photo is refused.`);
    }
    if (plan.audio && plan.audio.mode === "file" && !answer.audio_found) {
      setSound("file");
      notes.push(`It played your own sound (${plan.audio.file}), which this studio does not have: choose the file under Sound, or set "audio" in the plan to auto or none.`);
    }
    source.textContent = notes.join(" ");
    $("plan-panel").scrollIntoView({ block: "nearest" });
  } catch (err) {
    source.hidden = true;
    showError($("plan-error"), err.message);
  }
}

$("open-video").addEventListener("click", () => $("video-input").click());
$("video-input").addEventListener("change", () => {
  const file = $("video-input").files[0];
  $("video-input").value = "";
  if (file) openVideoPlan(file);
});

// ---------- sound ---------------------------------------------------------------------------
function setSound(value) {
  const input = document.querySelector(`input[name="sound"][value="${value}"]`);
  if (input) input.checked = true;
  showSound();
}

function showSound() {
  const sound = selected("sound");
  $("sound-file").hidden = sound !== "file";
  $("volume-wrap").hidden = sound === "none";
  $("sound-hint").textContent = {
    auto: "Automatic: rain, waves, wind, fire and thunder are heard when the picture has them; a portrait stays silent.",
    none: "No sound: the video is silent.",
    model: "The neural model's own sound, made with the picture.",
    file: "Your own music or ambience, looped or trimmed to the clip, with fades.",
  }[sound];
}

// "The model's sound" only where it can be had: the neural engine with a model that makes sound.
function showModelSound() {
  const neural = !$("engine-row").hidden && $("engine").value === "neural";
  $("model-wrap").hidden = $("engine-row").hidden || $("engine").value === "cpu";
  const sounding = neural && Boolean((state.models[$("model").value] || {}).audio);
  $("sound-model").hidden = !sounding;
  if (!sounding && selected("sound") === "model") setSound("auto");
}

document.querySelectorAll('input[name="sound"]').forEach((radio) => radio.addEventListener("change", showSound));
$("engine").addEventListener("change", showModelSound);
$("model").addEventListener("change", showModelSound);
$("volume").addEventListener("input", () => { $("volume-out").value = `×${Number($("volume").value).toFixed(2)}`; });
$("choose-audio").addEventListener("click", () => $("audio-input").click());
$("audio-input").addEventListener("change", () => {
  const file = $("audio-input").files[0];
  $("audio-input").value = "";
  if (!file) return;
  state.audioFile = file;
  $("audio-name").textContent = file.name;
  $("choose-audio").textContent = "Change";
});

// ---------- following a job -----------------------------------------------------------------
function stopFollowing() {
  if (state.events) { state.events.close(); state.events = null; }
  if (state.poll) { clearInterval(state.poll); state.poll = null; }
}

async function openJob(id) {
  stopFollowing();
  const job = await api(`/api/jobs/${id}`);
  state.job = null;
  showJob(job);
  if (job.status === "queued" || job.status === "running") follow(id);
}

function follow(id) {
  if (!window.EventSource) { state.poll = setInterval(() => refresh(id), 1000); return; }
  const events = new EventSource(`/api/jobs/${id}/events`);
  state.events = events;
  events.onmessage = (e) => showJob(JSON.parse(e.data));
  events.addEventListener("end", (e) => { showJob(JSON.parse(e.data)); stopFollowing(); loadGallery(true); });
  events.addEventListener("gone", () => { stopFollowing(); });
  events.onerror = () => {
    // The stream dropped (server restart, network): fall back to asking every second.
    stopFollowing();
    state.poll = setInterval(() => refresh(id), 1000);
  };
}

async function refresh(id) {
  try {
    const job = await api(`/api/jobs/${id}`);
    showJob(job);
    if (job.status !== "queued" && job.status !== "running") { stopFollowing(); loadGallery(true); }
  } catch (err) {
    showError($("job-error"), err.message);
  }
}

function showJob(job) {
  const previous = state.job;
  state.job = job;
  const active = job.status === "queued" || job.status === "running";
  const badge = $("badge");
  badge.hidden = false;
  badge.className = `badge ${job.status}`;
  badge.textContent = job.status;

  $("progress-wrap").hidden = !active;
  const percent = Math.round(job.progress * 100);
  const progress = $("progress");
  progress.classList.toggle("indeterminate", job.status === "queued");
  progress.setAttribute("aria-valuenow", String(percent));
  $("bar").style.width = `${percent}%`;
  $("percent").textContent = job.status === "queued" ? "" : `${percent}%`;
  $("status-text").textContent = job.status === "queued"
    ? (job.note ? "Waiting to run again after a restart…" : "Waiting in line…")
    : (STAGES[job.stage] || "Working") + "…";

  $("job-prompt").hidden = !job.prompt;
  $("job-prompt").textContent = job.prompt ? `“${job.prompt}”` : "";
  showError($("job-error"), job.status === "failed" ? `This video could not be made: ${job.error}` :
    job.status === "cancelled" ? "This job was cancelled." : "");

  const video = $("video");
  const poster = $("poster");
  $("placeholder").hidden = true;
  if (job.status === "done") {
    poster.hidden = true;
    if (!previous || previous.id !== job.id || previous.status !== "done" || video.hidden) {
      video.hidden = false;
      if (job.media_type.startsWith("image/")) {
        // A GIF is an image: show it where the video would be.
        poster.src = job.video_url; poster.hidden = false; poster.style.filter = "none"; video.hidden = true;
      } else {
        video.src = job.video_url;
        video.play().catch(() => {});
      }
    }
    $("download").href = `${job.video_url}?download=1`;
  } else {
    video.hidden = true;
    video.removeAttribute("src");
    // The worker makes the thumbnail when it takes the job; until then, the photo sent from here.
    const local = state.localPhoto && state.localPhoto.id === job.id ? state.localPhoto.url : null;
    const picture = job.thumbnail_url || local;
    if (picture && poster.getAttribute("src") !== picture) poster.src = picture;
    poster.style.filter = "";
    poster.hidden = !picture;
    $("placeholder").hidden = Boolean(picture);
  }
  $("result-actions").hidden = false;
  $("download").hidden = job.status !== "done";
  $("variant").hidden = active;
  $("cancel").hidden = !active;
  // A newly opened job shows its plan; a running job's plan, once made, too, unless another plan is being edited.
  const opened = !previous || previous.id !== job.id;
  if (opened || (job.plan && !previous.plan && state.planOrigin === "job")) {
    state.planOrigin = "job";
    $("plan-source").hidden = true;
    showPlan(job.plan, job.plan ? job.plan.explanation : []);
  }
  document.querySelectorAll(".tile").forEach((tile) => tile.classList.toggle("current", tile.dataset.id === job.id));
}

// The screen takes the video's own shape (9:16 stays tall), within the window's height.
$("video").addEventListener("loadedmetadata", () => {
  const video = $("video");
  if (video.videoWidth && video.videoHeight) $("screen").style.aspectRatio = `${video.videoWidth} / ${video.videoHeight}`;
});

$("cancel").addEventListener("click", async () => {
  if (!state.job) return;
  try {
    await api(`/api/jobs/${state.job.id}`, { method: "DELETE" });
    await refresh(state.job.id);
  } catch (err) {
    showError($("job-error"), err.message);
  }
});

$("variant").addEventListener("click", async () => {
  const job = state.job;
  if (!job) return;
  const seed = String(Math.floor(Math.random() * 2 ** 31));
  try {
    showError($("job-error"), "");
    const form = { photo_from: job.id, format: job.format };
    if (Object.keys(job.options || {}).length || !job.plan) {
      Object.assign(form, { prompt: job.prompt }, Object.fromEntries(Object.entries(job.options || {}).map(([k, v]) => [k, String(v)])), { seed });
    } else {
      form.plan = JSON.stringify({ ...job.plan, seed: Number(seed) });
    }
    await submitJob(form, false);
  } catch (err) {
    showError($("job-error"), err.message);
  }
});

// ---------- the gallery ---------------------------------------------------------------------
async function loadGallery(reset = false) {
  if (reset) state.offset = 0;
  let page;
  try {
    page = await api(`/api/jobs?limit=${PAGE}&offset=${state.offset}`);
  } catch (err) {
    showError($("error"), err.message);
    return;
  }
  const list = $("gallery");
  if (reset) list.replaceChildren();
  for (const job of page.jobs) list.append(tile(job));
  state.offset += page.jobs.length;
  $("more").hidden = !page.next;
  $("gallery-empty").hidden = page.total > 0;
  $("past-count").textContent = page.total ? `${page.total} video${page.total === 1 ? "" : "s"}` : "";
  const active = page.jobs.some((j) => j.status === "queued" || j.status === "running");
  clearTimeout(state.galleryTimer);
  if (active) state.galleryTimer = setTimeout(() => loadGallery(true), 3000);
}

function tile(job) {
  const item = document.createElement("li");
  item.className = "tile";
  item.dataset.id = job.id;
  if (state.job && state.job.id === job.id) item.classList.add("current");
  const open = document.createElement("button");
  open.className = "open";
  open.type = "button";
  const label = job.prompt || "No prompt";
  open.setAttribute("aria-label", `Open: ${label}, ${job.status}`);
  // No thumbnail until a worker takes the job: an empty frame stands in for it.
  const img = document.createElement(job.thumbnail_url ? "img" : "div");
  if (job.thumbnail_url) Object.assign(img, { src: job.thumbnail_url, alt: "", loading: "lazy" });
  else img.className = "thumb-pending";
  const meta = document.createElement("div");
  meta.className = "meta";
  const prompt = document.createElement("div");
  prompt.className = "prompt";
  prompt.textContent = label;
  const sub = document.createElement("div");
  sub.className = "sub";
  const duration = job.plan ? `${job.plan.canvas.duration} s · ${job.plan.canvas.aspect}` : (job.options.duration ? `${job.options.duration} s` : "");
  sub.textContent = [timeAgo(job.created), duration, job.format.toUpperCase()].filter(Boolean).join(" · ");
  meta.append(prompt, sub);
  open.append(img);
  if (job.status === "running") {
    const mini = document.createElement("div");
    mini.className = "mini";
    const fill = document.createElement("div");
    fill.style.width = `${Math.round(job.progress * 100)}%`;
    mini.append(fill);
    open.append(mini);
  }
  open.append(meta);
  open.addEventListener("click", () => {
    state.file = null;
    state.sourceJob = job.id;
    showPhotoChosen(`photo of “${label}”`);
    if (job.thumbnail_url) $("preview").src = job.thumbnail_url;
    else $("preview").hidden = true;
    if (job.prompt) $("prompt").value = job.prompt;
    openJob(job.id).catch((err) => showError($("job-error"), err.message));
    if (window.matchMedia("(max-width: 920px)").matches) $("result").scrollIntoView({ block: "start" });
  });
  const badge = document.createElement("span");
  badge.className = `badge ${job.status}`;
  badge.textContent = job.status;
  const del = document.createElement("button");
  del.type = "button";
  del.className = "del";
  del.textContent = "×";
  const active = job.status === "queued" || job.status === "running";
  del.setAttribute("aria-label", `${active ? "Cancel" : "Delete"}: ${label}`);
  del.title = active ? "Cancel" : "Delete";
  del.addEventListener("click", async () => {
    if (!active && !confirm("Delete this video and its photo?")) return;
    try {
      await api(`/api/jobs/${job.id}`, { method: "DELETE" });
      if (state.job && state.job.id === job.id && !active) resetResult();
      loadGallery(true);
    } catch (err) {
      showError($("error"), err.message);
    }
  });
  item.append(open, badge, del);
  return item;
}

function resetResult() {
  stopFollowing();
  state.job = null;
  $("video").hidden = true;
  $("poster").hidden = true;
  $("placeholder").hidden = false;
  $("badge").hidden = true;
  $("result-actions").hidden = true;
  $("progress-wrap").hidden = true;
  $("job-prompt").hidden = true;
  showError($("job-error"), "");
  showPlan(null, []);
}

$("more").addEventListener("click", () => loadGallery(false));

// ---------- start ---------------------------------------------------------------------------
// The form's choices and ranges come from the server's option schema (/api/info), never from here.
function addChoices(select, values, label, chosen) {
  for (const value of values) {
    const option = document.createElement("option");
    option.value = String(value);
    option.textContent = label(value);
    option.selected = String(value) === String(chosen);
    select.append(option);
  }
}

function fillForm(options) {
  state.options = options;
  const resolutions = options.resolution.enum;
  // 720p when offered: quick to make, sharp enough to judge; the smallest is marked as the fastest.
  const preferred = resolutions.includes(720) ? 720 : resolutions[0];
  addChoices($("resolution"), resolutions, (r) => (r === 2160 ? "4K" : `${r}p`) + (r === resolutions[0] ? " · fastest" : ""), preferred);
  addChoices($("format"), options.format.enum, (f) => f.toUpperCase(), options.format.default);
  addChoices($("camera"), options.camera.enum, (t) => t.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase()), "");
  // The frame shapes as a segmented control, the default (the photo's own) first.
  const aspects = [options.aspect.default, ...options.aspect.enum.filter((a) => a !== options.aspect.default)];
  for (const aspect of aspects) {
    const label = document.createElement("label");
    const input = Object.assign(document.createElement("input"), { type: "radio", name: "aspect", value: aspect, checked: aspect === options.aspect.default });
    const text = Object.assign(document.createElement("span"), { textContent: aspect.replace(/^./, (c) => c.toUpperCase()) });
    label.append(input, text);
    $("aspect").append(label);
  }
  Object.assign($("strength"), { min: options.strength.minimum, max: options.strength.maximum });
  const volume = options.audio_volume;
  Object.assign($("volume"), { min: volume.minimum, max: volume.maximum, value: volume.default });
  $("volume-out").value = `×${Number(volume.default).toFixed(2)}`;
  const engines = { cpu: "CPU", neural: "Neural (GPU)", auto: "Auto: neural only where needed" };
  addChoices($("engine"), options.engine.enum, (e) => engines[e] || e, options.engine.default);
  addChoices($("model"), options.model.enum, (m) => m + ((state.models[m] || {}).audio ? " · makes sound" : ""), options.model.default);
  const custom = $("custom-duration");
  custom.min = options.duration.minimum;
  custom.max = options.duration.maximum;
  $("duration-range").textContent = `(${options.duration.minimum} to ${options.duration.maximum})`;
  if (options.prompt.maxLength) $("prompt").maxLength = options.prompt.maxLength;
}

async function start() {
  try {
    const info = await api("/api/info");
    state.models = info.models || {};
    fillForm(info.options);
    // The neural engine is offered only where this studio has it installed.
    $("engine-row").hidden = !info.neural_installed;
    showModelSound();
    showSound();
    $("drop-hint").textContent = `JPEG, PNG, WebP, TIFF or HEIC · up to ${info.max_upload_mb} MB`;
  } catch (err) {
    showError($("error"), err.message);
  }
  showPlan(null, []);
  loadGallery(true);
}
start();
