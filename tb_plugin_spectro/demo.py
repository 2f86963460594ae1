"""Writes a demo logdir that looks like real training runs.

    python -m tb_plugin_spectro.demo LOGDIR [--steps N]

- `tts`: a TTS run whose predicted mels (speech-like: harmonics, formants,
  pauses) converge to their targets over the steps, a held-out reference
  utterance tracked across training plus a batch of three, a generator loss
  with lowest-point markers, and a checkpoint file every 50 steps.
- `diffusion`: noise pairs over diffusion timesteps, the prediction improving.
- `contrastive`: text/audio similarity whose diagonal emerges.
"""

import argparse
import os
import sys
import time

import numpy as np

from tb_plugin_spectro import summary as spectro_summary

N_MELS = 80
TRANSCRIPTS = [
    ("LJ001-0001", "Printing, in the only sense with which we are at present concerned,"),
    ("LJ001-0002", "in being comparatively modern."),
    ("LJ001-0003", "For although the Chinese took impressions from wood blocks engraved in relief"),
    ("LJ001-0004", "produced the block books, which were the immediate predecessors of the true printed book,"),
]


def speech_mel(frames: int, rng: np.random.Generator) -> np.ndarray:
    """A log-mel [N_MELS, frames] of voiced segments separated by pauses."""
    bins = np.arange(N_MELS)[:, None].astype(np.float64)
    t = np.arange(frames)[None, :].astype(np.float64)
    pitch = 4.0 + 1.5 * np.sin(t / rng.uniform(15, 40) + rng.uniform(0, 6))
    harmonics = np.cos(np.pi * bins / pitch) ** 8
    formants = sum(
        np.exp(-((bins - (centre + 6 * np.sin(t / rng.uniform(8, 20)))) ** 2) / (2 * width**2))
        for centre, width in ((12, 4), (28, 6), (45, 8))
    )
    voiced = (np.sin(t / rng.uniform(6, 12) + rng.uniform(0, 6)) > -0.6).astype(np.float64)
    mel = -11.5 + voiced * (2 + 8 * harmonics * formants) + 0.4 * rng.standard_normal((N_MELS, frames))
    return np.clip(mel, -11.5, 2.0).astype(np.float32)


def predicted_mel(target: np.ndarray, progress: float, rng: np.random.Generator) -> np.ndarray:
    """What a model predicts at `progress` in [0, 1]: blurry and biased early, close late."""
    blurred = target.copy()
    width = int(1 + 12 * (1 - progress))
    kernel = np.ones(width) / width
    blurred = np.apply_along_axis(lambda row: np.convolve(row, kernel, mode="same"), 0, blurred)
    noise = (1.5 * (1 - progress) + 0.1) * rng.standard_normal(target.shape)
    mel = blurred + noise - 1.0 * (1 - progress)
    return np.clip(mel, -11.5, 2.0).astype(np.float32)


def write_tts(logdir: str, steps: int, every: int, rng: np.random.Generator) -> None:
    run = os.path.join(logdir, "tts")
    reference_target = speech_mel(240, np.random.default_rng(7))
    with spectro_summary.Writer(run) as writer:
        tracker = spectro_summary.LowestPointTracker("loss/g/total", writer=writer, smoothing=0.9)
        for step in range(0, steps + 1, every):
            progress = min(1.0, step / (0.7 * steps))
            # A loss that falls, then rises again (overtraining) after 70 % of the run.
            loss = 2.0 * np.exp(-4 * step / steps) + 0.3 + 0.6 * max(0.0, step / steps - 0.7) ** 2
            loss += 0.05 * rng.standard_normal()
            writer.add_scalar("loss/g/total", loss, step)
            checkpoint = os.path.join(run, f"G_{step}.pth")
            if step % 50 == 0:
                with open(checkpoint, "wb") as f:
                    f.write(b"demo checkpoint")
            tracker.update(step, loss, epoch=step // 100, checkpoint_path=checkpoint)
            spectro_summary.mel_comparison(
                "mel/reference", reference_target, predicted_mel(reference_target, progress, rng), step,
                writer=writer, sample_ids=TRANSCRIPTS[0][0], texts=TRANSCRIPTS[0][1], sample_rate=22050, hop_length=256,
            )
            lengths = [200, 170, 150]
            targets = np.full((3, N_MELS, 200), -11.5, dtype=np.float32)
            for i, length in enumerate(lengths):
                targets[i, :, :length] = speech_mel(length, rng)
            predictions = np.stack([predicted_mel(t, progress, rng) for t in targets])
            spectro_summary.mel_comparison(
                "mel/train", targets, predictions, step, writer=writer, lengths=lengths,
                sample_ids=[t[0] for t in TRANSCRIPTS[1:]], texts=[t[1] for t in TRANSCRIPTS[1:]],
                sample_rate=22050, hop_length=256,
            )


def write_diffusion(logdir: str, steps: int, every: int, rng: np.random.Generator) -> None:
    with spectro_summary.Writer(os.path.join(logdir, "diffusion")) as writer:
        for step in range(0, steps + 1, every):
            timestep = int(rng.integers(0, 1000))
            actual = rng.standard_normal((N_MELS, 128)).astype(np.float32)
            skill = min(1.0, step / steps) * (1 - 0.6 * timestep / 1000)
            predicted = (skill * actual + (1 - skill) * rng.standard_normal(actual.shape)).astype(np.float32)
            spectro_summary.noise_pair(
                "diffusion/noise", predicted, actual, step, timestep=timestep, total_timesteps=1000, writer=writer
            )


def write_contrastive(logdir: str, steps: int, every: int, rng: np.random.Generator) -> None:
    captions = [f"a {adj} {noun} speaking" for adj in ("calm", "loud", "young", "old") for noun in ("woman", "man", "child", "robot")]
    concepts = rng.standard_normal((len(captions), 64))
    with spectro_summary.Writer(os.path.join(logdir, "contrastive")) as writer:
        for step in range(0, steps + 1, every):
            alignment = min(1.0, step / steps)
            text = concepts + 0.3 * rng.standard_normal(concepts.shape)
            audio = alignment * concepts + (1 - alignment) * rng.standard_normal(concepts.shape)
            spectro_summary.similarity_matrix(
                "align/text_audio", text, audio, step, labels_a=captions,
                labels_b=[f"clip_{i:03d}.wav" for i in range(len(captions))],
                a_name="text", b_name="audio", writer=writer,
            )


def write_demo(logdir: str, steps: int = 400, every: int = 2, seed: int = 0) -> None:
    """Writes the three demo runs under `logdir`."""
    rng = np.random.default_rng(seed)
    write_tts(logdir, steps, every, rng)
    write_diffusion(logdir, steps, every * 2, rng)
    write_contrastive(logdir, steps, every * 5, rng)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Writes Spectro's demo logdir.")
    parser.add_argument("logdir")
    parser.add_argument("--steps", type=int, default=400, help="training steps to simulate")
    parser.add_argument("--every", type=int, default=2, help="steps between logged mels")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    write_demo(args.logdir, args.steps, args.every)
    print(f"wrote the demo logdir {args.logdir} in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
