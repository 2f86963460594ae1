"""Listening on a mel card in a real browser: Debian's Chromium, driven by
Playwright with autoplay allowed, against the real `tensorboard` serving
event files written by `spectro_summary.mel_comparison(..., target_audio=,
predicted_audio=)`.

What the page sends to its audio output is recorded by a tap: a script run
before the pane's that also connects every node connected to a context's
destination to an AudioWorkletNode, which posts each render quantum it is
given with its frame on the audio clock. The clips are ramps whose value
says where in the clip it is (the target rising, the prediction falling;
each step of another height), so the recording says which clip played and
from where, at each instant of the audio clock. A switch (A/B, another step)
must keep the position within one render quantum (128 frames of the
context); a click on frame N must start at N × hop / sample rate within a
sample of the clip.
"""

import io
import wave

import numpy as np
import pytest

from support.browser import card, chromium_args, ensure_chromium, open_tab, wait_shown, wait_until
from support.server import tensorboard
from tb_plugin_spectro import summary as spectro_summary

pytest.importorskip("playwright", reason="playwright is in the test extras: pip install -e '.[test]'")

SAMPLE_RATE, HOP, FRAMES, N_MELS = 16000, 160, 200, 40
SAMPLES = FRAMES * HOP  # 2 s
STEPS = 3
CLIPPED = 812
NOHOP_SAMPLES = 3 * SAMPLE_RATE  # the clip of a series without a hop: 3 s over its 200 frames


def amplitude(step: int) -> float:
    """The height of step `step`'s ramps: 1 at the last step, halving at each step before."""
    return 0.5 ** (STEPS - 1 - step)


def ramp(step: int, sign: int, samples: int = SAMPLES) -> np.ndarray:
    """int16 PCM whose magnitude grows by amplitude(step) × 32767 over the clip: |pcm| says the position."""
    codes = np.floor(np.arange(samples) * amplitude(step) * 32767 / (samples - 1))
    return (sign * codes).astype(np.int16)


def mel(step: int) -> np.ndarray:
    rng = np.random.default_rng(step)
    return rng.uniform(-8.0, 0.0, (N_MELS, FRAMES)).astype(np.float32)


def clipping_prediction() -> np.ndarray:
    """A quiet sine with CLIPPED samples beyond 1."""
    wave_ = 0.5 * np.sin(np.arange(SAMPLES) * 2 * np.pi * 220 / SAMPLE_RATE).astype(np.float32)
    wave_[1000 : 1000 + CLIPPED] = 1.5
    return wave_


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    root = tmp_path_factory.mktemp("audio")
    facts = dict(sample_rate=SAMPLE_RATE, sample_ids="LJ001-0001")
    with spectro_summary.Writer(str(root / "tts")) as writer:
        for step in range(STEPS):
            target = mel(step)
            spectro_summary.mel_comparison(
                "mel/ramp",
                target,
                target + 0.1,
                step,
                writer=writer,
                hop_length=HOP,
                target_audio=ramp(step, 1),
                predicted_audio=ramp(step, -1),
                **facts,
            )
        with pytest.warns(RuntimeWarning, match="beyond"):
            spectro_summary.mel_comparison(
                "mel/clipped",
                mel(0),
                mel(0),
                0,
                writer=writer,
                hop_length=HOP,
                target_audio=ramp(STEPS - 1, 1),
                predicted_audio=clipping_prediction(),
                **facts,
            )
        # A vocoder's ground truth logged once, at the first step.
        spectro_summary.mel_comparison(
            "mel/borrowed",
            mel(0),
            mel(0),
            0,
            writer=writer,
            hop_length=HOP,
            target_audio=ramp(STEPS - 1, 1),
            predicted_audio=ramp(STEPS - 1, -1),
            **facts,
        )
        spectro_summary.mel_comparison(
            "mel/borrowed", mel(1), mel(1), 10, writer=writer, hop_length=HOP, predicted_audio=ramp(1, -1), **facts
        )
        spectro_summary.mel_comparison(
            "mel/nohop",
            mel(0),
            mel(0),
            0,
            writer=writer,
            target_audio=ramp(STEPS - 1, 1, NOHOP_SAMPLES),
            **facts,
        )
    with spectro_summary.Writer(str(root / "vocoder")) as writer:
        for step in (0, 100, 200):
            spectro_summary.mel_comparison(
                "mel/val",
                mel(step),
                mel(step) + 0.2,
                step,
                writer=writer,
                hop_length=HOP,
                predicted_audio=ramp(STEPS - 1, -1),
                **facts,
            )
        for step in range(0, 260, 10):
            writer.add_scalar("loss/g/total", 1.0 + abs(step - 130) / 100, step)
    return root


@pytest.fixture(scope="module")
def browser():
    """Chromium with autoplay allowed: a page may start its AudioContext without a gesture."""
    from playwright.sync_api import sync_playwright

    executable = ensure_chromium()
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=chromium_args(autoplay=True))
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def server(logdir):
    with tensorboard(logdir, "false") as base:
        yield base


TAP = """
(() => {
  const connect = AudioNode.prototype.connect;
  const buses = new WeakMap();
  const tap = { chunks: [], sampleRate: 0, ready: false, error: "" };
  window.__spectroAudioTap = tap;
  const processor = `
    class SpectroTap extends AudioWorkletProcessor {
      process(inputs) {
        const channel = inputs[0] && inputs[0][0];
        if (channel) this.port.postMessage([currentFrame, channel.slice()]);
        return true;
      }
    }
    registerProcessor("spectro-tap", SpectroTap);`;
  const url = URL.createObjectURL(new Blob([processor], { type: "application/javascript" }));
  function busOf(context) {
    let bus = buses.get(context);
    if (bus) return bus;
    bus = context.createGain();
    buses.set(context, bus);
    tap.sampleRate = context.sampleRate;
    context.audioWorklet.addModule(url).then(() => {
      const recorder = new AudioWorkletNode(context, "spectro-tap");
      recorder.port.onmessage = (event) => tap.chunks.push(event.data);
      connect.call(bus, recorder);
      connect.call(recorder, context.destination);
      tap.ready = true;
    }, (e) => { tap.error = String(e); });
    return bus;
  }
  AudioNode.prototype.connect = function (destination, ...rest) {
    const result = connect.call(this, destination, ...rest);
    if (destination instanceof AudioDestinationNode && !(this instanceof AudioWorkletNode))
      connect.call(this, busOf(destination.context));
    return result;
  };
})();
"""


def open_tapped_tab(browser, base: str):
    """The Spectro tab with the tap recording what the page plays; its module is a blob:, which TensorBoard's CSP refuses."""
    return open_tab(browser, base, init_script=TAP, bypass_csp=True)


def recording(frame, since: int = 0):
    """What the tap recorded (from its `since`th render quantum on): the audio-clock time of each
    sample (seconds, from its render quantum's frame), its value, and the rate."""
    chunks, rate, error = frame.evaluate(
        """(since) => [window.__spectroAudioTap.chunks.slice(since).map(([at, data]) => [at, Array.from(data)]),
                       window.__spectroAudioTap.sampleRate, window.__spectroAudioTap.error]""",
        since,
    )
    assert not error, error
    assert chunks, "the tap recorded nothing: no audio was rendered"
    times = np.concatenate([(at + np.arange(len(data))) / rate for at, data in chunks])
    values = np.concatenate([np.asarray(data, dtype=np.float64) for _, data in chunks])
    return times, values, rate


def clip_position(values: np.ndarray, step: int = STEPS - 1, samples: int = SAMPLES) -> np.ndarray:
    """Where in a ramp of step `step` each value is, in seconds."""
    return np.abs(values) * 32768 / (amplitude(step) * 32767) * (samples - 1) / SAMPLE_RATE


def position_jump(values, times, rate, at: int, step_before: int = STEPS - 1, step_after: int = STEPS - 1) -> float:
    """How far the clip position moved against the clock at index `at` of the recording, in seconds.

    While a clip plays, its position minus the clock time is constant; this is
    its median over 20 ms ending 5 ms before `at` and over 20 ms starting 10 ms
    after (past an A/B crossfade), the ramps read as steps `step_before` and
    `step_after`.
    """
    before = np.arange(at - int(0.025 * rate), at - int(0.005 * rate))
    after = np.arange(at + int(0.010 * rate), at + int(0.030 * rate))
    before = before[sounding(values[before])]
    after = after[sounding(values[after])]
    assert len(before) > 0.01 * rate and len(after) > 0.01 * rate, "silence around the switch"
    offset_before = np.median(clip_position(values[before], step_before) - times[before])
    offset_after = np.median(clip_position(values[after], step_after) - times[after])
    return float(offset_after - offset_before)


def sounding(values: np.ndarray) -> np.ndarray:
    return np.abs(values) > 4 / 32768


def audio_state(locator) -> dict:
    return locator.evaluate(
        """(card) => ({state: card.dataset.audioState, time: Number(card.dataset.audioTime),
                       clock: Number(card.dataset.audioClock), role: card.dataset.audioRole,
                       step: card.dataset.audioStep, anchor: card.dataset.audioAnchor})"""
    )


def anchor_offset(locator) -> float:
    return float(audio_state(locator)["anchor"].split(",")[1])


def open_card(page_frame, tag: str, step: int, run: str = "tts"):
    mel_card = card(page_frame, run, tag)
    wait_shown(mel_card, step)
    wait_until(lambda: mel_card.locator(".spectro-audio-play").first.is_visible(), "the play buttons")
    return mel_card


def playhead_and_time(locator, panel: str):
    """In one frame: the card's audio time, and the frame coordinate the panel's playhead marks (from its pixels)."""
    return locator.evaluate(
        """(card, panel) => {
          const box = card.querySelector(`.spectro-panel[data-panel="${panel}"]`);
          const [x, , w] = box.dataset.plot.split(",").map(Number);
          const [start, end] = box.dataset.window.split(",").map(Number);
          const head = box.querySelector(".spectro-playhead");
          const centre = head.getBoundingClientRect().left + head.getBoundingClientRect().width / 2;
          const px = centre - box.getBoundingClientRect().left - x;
          return {time: Number(card.dataset.audioTime), frame: start + (px / w) * (end - start),
                  hidden: head.hidden, pixelsPerFrame: w / (end - start)};
        }""",
        panel,
    )


def strip_playhead(locator):
    """In one frame: the x of the strip's playhead and of the target panel's, from the card's left edge."""
    return locator.evaluate(
        """(card) => {
          const centre = (el) => { const r = el.getBoundingClientRect(); return r.left + r.width / 2; };
          const strip = card.querySelector(".spectro-wave-strip .spectro-playhead");
          const panel = card.querySelector('.spectro-panel[data-panel="target"] .spectro-playhead');
          return {visible: !strip.hidden, x: centre(strip), panelX: centre(panel)};
        }"""
    )


@pytest.mark.parametrize("load_fast", ["false", "true"])
def test_playing_advances_the_audio_clock_and_the_playhead_on_every_panel(browser, logdir, load_fast):
    with tensorboard(logdir, load_fast) as base, open_tab(browser, base) as (page, frame):
        mel_card = open_card(frame, "mel/ramp", STEPS - 1)
        assert mel_card.get_attribute("data-audio-state") == "paused"
        assert mel_card.locator(".spectro-playhead").first.is_hidden()
        mel_card.locator(".spectro-audio-play-target").click()
        wait_until(lambda: audio_state(mel_card)["state"] == "playing", "playing")
        first = audio_state(mel_card)
        heads = [playhead_and_time(mel_card, panel) for panel in ("target", "predicted", "diff")]
        page.wait_for_timeout(500)
        later = audio_state(mel_card)
        assert later["clock"] - first["clock"] > 0.3, (first, later)
        assert later["time"] - first["time"] > 0.3, (first, later)
        assert later["role"] == "target" and later["step"] == str(STEPS - 1)
        for head in heads + [playhead_and_time(mel_card, "target")]:
            # The playhead marks frame time × rate / hop: within a pixel of it, on each panel.
            assert not head["hidden"]
            expected = head["time"] * SAMPLE_RATE / HOP
            assert abs(head["frame"] - expected) * head["pixelsPerFrame"] <= 1.0, head
        assert playhead_and_time(mel_card, "target")["frame"] > heads[0]["frame"] + 20
        # The waveform strip's playhead, on the panels' axis: x of the target panel's at the same time.
        strip = strip_playhead(mel_card)
        assert strip["visible"] and abs(strip["x"] - strip["panelX"]) <= 1.0, strip
        mel_card.locator(".spectro-audio-play-target").click()
        wait_until(lambda: audio_state(mel_card)["state"] == "paused", "paused")


def test_the_ab_switch_keeps_the_position_within_one_render_quantum(browser, server):
    with open_tapped_tab(browser, server) as (page, frame):
        mel_card = open_card(frame, "mel/ramp", STEPS - 1)
        mel_card.locator(".spectro-sample-row").click()  # focus the card, not a button
        mel_card.press("Space")
        wait_until(lambda: audio_state(mel_card)["state"] == "playing", "playing")
        page.wait_for_timeout(400)
        mel_card.press("s")
        wait_until(lambda: audio_state(mel_card)["role"] == "predicted", "the switch")
        page.wait_for_timeout(400)
        mel_card.press("Space")
        wait_until(lambda: audio_state(mel_card)["state"] == "paused", "paused")
        times, values, rate = recording(frame)
    heard = np.flatnonzero(sounding(values))
    signs = np.sign(values[heard])
    switches = np.flatnonzero(np.diff(signs) != 0)
    assert len(switches) == 1, f"expected one switch from target to predicted, found {len(switches)}"
    assert signs[switches[0]] > 0 and signs[switches[0] + 1] < 0
    jump = position_jump(values, times, rate, heard[switches[0]])
    bound = 128 / rate  # one render quantum
    assert abs(jump) <= bound, f"the switch moved the position by {jump * 1e3:.3f} ms, more than {bound * 1e3:.2f} ms"


def recorded_quanta(frame) -> int:
    """Render quanta the tap has recorded so far, once it records."""
    wait_until(lambda: frame.evaluate("window.__spectroAudioTap.ready"), "the tap")
    return frame.evaluate("window.__spectroAudioTap.chunks.length")


def test_a_click_on_frame_n_plays_from_n_hops(browser, server):
    with open_tapped_tab(browser, server) as (page, frame):
        mel_card = open_card(frame, "mel/ramp", STEPS - 1)
        # Play and pause once, so that the tap records from the click's first sample on.
        mel_card.locator(".spectro-audio-play-target").click()
        wait_until(lambda: audio_state(mel_card)["state"] == "playing", "playing")
        mel_card.locator(".spectro-audio-play-target").click()
        since = recorded_quanta(frame)
        panel = mel_card.locator('.spectro-panel[data-panel="predicted"]')
        panel.scroll_into_view_if_needed()
        x, y, w, h = map(float, panel.get_attribute("data-plot").split(","))
        box = panel.bounding_box()
        clicked = 120
        page.mouse.click(box["x"] + x + (clicked + 0.5) / FRAMES * w, box["y"] + y + h / 2)
        wait_until(lambda: audio_state(mel_card)["state"] == "playing", "playing")
        assert anchor_offset(mel_card) == pytest.approx(clicked * HOP / SAMPLE_RATE, abs=1e-9)
        page.wait_for_timeout(300)
        mel_card.locator(".spectro-audio-play-target").click()
        times, values, rate = recording(frame, since)
    heard = np.flatnonzero(sounding(values))
    # The click's play is the last stretch of sound: on a busy machine the end of the first play,
    # paused, can reach the tap after `since`, before a gap.
    gaps = np.flatnonzero(np.diff(times[heard]) > 0.01)
    start = heard[gaps[-1] + 1] if len(gaps) else heard[0]
    # Its first sample is the frame's: within a sample of the clip's rate (and the ramp's step).
    first = clip_position(values[start])
    assert first == pytest.approx(clicked * HOP / SAMPLE_RATE, abs=1.5 / SAMPLE_RATE), first


def test_without_a_hop_frames_map_proportionally_onto_the_clip(browser, server):
    with open_tab(browser, server) as (page, frame):
        mel_card = open_card(frame, "mel/nohop", 0)
        panel = mel_card.locator('.spectro-panel[data-panel="target"]')
        panel.scroll_into_view_if_needed()
        x, y, w, h = map(float, panel.get_attribute("data-plot").split(","))
        box = panel.bounding_box()
        page.mouse.click(box["x"] + x + (100 + 0.5) / FRAMES * w, box["y"] + y + h / 2)
        wait_until(lambda: audio_state(mel_card)["state"] == "playing", "playing")
        assert anchor_offset(mel_card) == pytest.approx(100 / FRAMES * NOHOP_SAMPLES / SAMPLE_RATE, abs=1e-9)
        mel_card.locator(".spectro-audio-play-target").click()


def test_moving_to_another_step_while_playing_plays_its_audio_from_the_same_position(browser, server):
    with open_tapped_tab(browser, server) as (page, frame):
        mel_card = open_card(frame, "mel/ramp", STEPS - 1)
        mel_card.locator(".spectro-sample-row").click()
        mel_card.press("Space")
        wait_until(lambda: audio_state(mel_card)["state"] == "playing", "playing")
        page.wait_for_timeout(400)
        mel_card.press("ArrowLeft")
        wait_until(lambda: audio_state(mel_card)["step"] == str(STEPS - 2), "the step before")
        assert audio_state(mel_card)["state"] == "playing"
        page.wait_for_timeout(400)
        mel_card.press("Space")
        times, values, rate = recording(frame)
    heard = np.flatnonzero(sounding(values))
    # The step before's ramp is half as high: the switch is where the value halves.
    drops = heard[np.flatnonzero(values[heard[1:]] < 0.75 * values[heard[:-1]])]
    assert len(drops) == 1, f"expected one step change in the sound, found {len(drops)}"
    jump = position_jump(values, times, rate, drops[0], STEPS - 1, STEPS - 2)
    bound = 128 / rate  # one render quantum
    assert abs(jump) <= bound, (
        f"the step change moved the position by {jump * 1e3:.3f} ms, more than {bound * 1e3:.2f} ms"
    )


def test_a_zoom_window_bounds_playback_and_the_loop_repeats_it(browser, server):
    with open_tab(browser, server) as (page, frame):
        mel_card = open_card(frame, "mel/ramp", STEPS - 1)
        panel = mel_card.locator('.spectro-panel[data-panel="target"]')
        panel.scroll_into_view_if_needed()
        x, y, w, h = map(float, panel.get_attribute("data-plot").split(","))
        box = panel.bounding_box()
        page.mouse.move(box["x"] + x + 50 / FRAMES * w, box["y"] + y + h / 2)
        page.mouse.down()
        page.mouse.move(box["x"] + x + 90 / FRAMES * w, box["y"] + y + h / 2, steps=5)
        page.mouse.up()
        wait_until(lambda: mel_card.get_attribute("data-window"), "the zoom window")
        start, end = (float(v) * HOP / SAMPLE_RATE for v in mel_card.get_attribute("data-window").split(","))
        mel_card.locator(".spectro-audio-loop").check()
        mel_card.locator(".spectro-audio-play-target").click()
        wait_until(lambda: audio_state(mel_card)["state"] == "playing", "playing")
        assert start <= anchor_offset(mel_card) < end
        seen = []
        for _ in range(int((end - start) / 0.05) * 2 + 4):
            page.wait_for_timeout(50)
            seen.append(audio_state(mel_card)["time"])
        assert all(start - 1e-3 <= t <= end + 1e-3 for t in seen), (start, end, seen)
        assert any(b < a for a, b in zip(seen, seen[1:])), f"no loop back to the window's start: {seen}"
        assert audio_state(mel_card)["state"] == "playing"
        mel_card.locator(".spectro-audio-loop").uncheck()
        wait_until(lambda: audio_state(mel_card)["state"] == "paused", "the end of the window", timeout=5)
        assert audio_state(mel_card)["time"] == pytest.approx(end, abs=1e-3)


def test_the_wav_link_downloads_the_written_samples(browser, server, tmp_path):
    with open_tab(browser, server) as (page, frame):
        mel_card = open_card(frame, "mel/ramp", STEPS - 1)
        link = mel_card.locator(".spectro-audio-wav-predicted")
        with page.expect_download() as download:
            link.click()
        assert download.value.suggested_filename.endswith(f"step{STEPS - 1}_sample0_predicted.wav")
        path = tmp_path / "predicted.wav"
        download.value.save_as(path)
    with wave.open(io.BytesIO(path.read_bytes())) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, SAMPLE_RATE)
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    np.testing.assert_array_equal(samples, ramp(STEPS - 1, -1))


def test_a_clipping_prediction_is_flagged(browser, server):
    with open_tab(browser, server) as (page, frame):
        mel_card = open_card(frame, "mel/clipped", 0)
        flags = mel_card.locator(".spectro-audio-flags")
        assert flags.inner_text() == f"predicted: {CLIPPED} samples clipped"
        colour = flags.evaluate("(el) => getComputedStyle(el).color")
        warning = flags.evaluate(
            "(el) => { const probe = document.createElement('span'); probe.style.color = 'var(--spectro-warning)';"
            " el.append(probe); const c = getComputedStyle(probe).color; probe.remove(); return c; }"
        )
        assert colour == warning
        assert open_card(frame, "mel/ramp", STEPS - 1).locator(".spectro-audio-flags").inner_text() == ""


def test_a_step_without_target_audio_offers_the_latest_earlier_one(browser, server):
    with open_tab(browser, server) as (page, frame):
        mel_card = open_card(frame, "mel/borrowed", 10)
        assert "target audio from step 0" in mel_card.locator(".spectro-audio-note").inner_text()
        assert "step 0" in mel_card.locator(".spectro-audio-wav-target").inner_text()
        mel_card.locator(".spectro-audio-play-target").click()
        wait_until(lambda: audio_state(mel_card)["state"] == "playing", "playing")
        assert audio_state(mel_card)["step"] == "0"
        mel_card.locator(".spectro-audio-play-predicted").click()
        wait_until(lambda: audio_state(mel_card)["role"] == "predicted", "the prediction")
        assert audio_state(mel_card)["step"] == "10"
        mel_card.locator(".spectro-audio-play-predicted").click()


def test_the_lowest_point_view_plays_the_nearest_step_with_audio(browser, server):
    with open_tab(browser, server) as (page, frame):
        lowest = frame.locator(".spectro-lowest-card")
        wait_until(lambda: lowest.locator(".spectro-candidate-listen:visible").count() > 0, "a candidate to hear")
        button = lowest.locator('.spectro-candidate-listen[data-candidate="130"]')
        assert button.get_attribute("data-audio-step") == "100"  # 30 steps away, 200 is 70
        assert button.get_attribute("data-audio-tag") == "mel/val"
        button.click()
        wait_until(lambda: lowest.get_attribute("data-audio-state") == "playing", "playing")
        assert lowest.get_attribute("data-audio-step") == "100"
        button.click()
        wait_until(lambda: lowest.get_attribute("data-audio-state") == "", "paused")
