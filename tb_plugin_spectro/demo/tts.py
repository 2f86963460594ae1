"""The demo's `tts` run: a VITS run's losses, checkpoints and lowest points, its mels and attention."""

import os
import re
from typing import Dict, List, cast

import numpy as np

from tb_plugin_spectro import summary as spectro_summary
from tb_plugin_spectro.demo.alignment import Phones, attention, failure_steps, phones
from tb_plugin_spectro.demo.speech import (
    HOP_LENGTH,
    N_MELS,
    REFERENCE,
    SAMPLE_RATE,
    SILENCE,
    Utterance,
    convergence,
    griffin_lim,
    predicted_mel,
    stft,
    training_utterances,
    utterance,
)

BATCH_SIZE = 3  # training utterances logged per step
REFERENCE_SEED = 7  # the reference utterance's synthesis, and so its phones' timing
ALIGNMENT_PACE = 0.2  # how soon the attention finds the path, as `convergence`'s pace
VOCODER_ITERATIONS = 0  # Griffin-Lim iterations from the target's phase: each costs 4 times the vocoding itself

# ---------------------------------------------------------------------------
# A VITS run's losses and checkpoints

CHECKPOINT_INTERVAL = 50  # steps between saves of G_{step}.pth and D_{step}.pth (VITS's eval_interval)
KEEP_CHECKPOINTS = 5  # saves kept besides G_0.pth and D_0.pth (So-VITS-SVC's keep_ckpts)
LOSS_SMOOTHING = 0.95  # the lowest-point tracker's weight, as people smooth loss/g/total
STEPS_PER_EPOCH = 20  # a few hundred clips in batches of 16
OVERFIT_START = 0.55  # fraction of the run after which the discriminator overfits the small training set
_CHECKPOINT_NAME = re.compile(r"([GD])_(\d+)\.pth")


def vits_losses(steps: int, rng: np.random.Generator) -> Dict[str, np.ndarray]:
    """VITS's logged losses at each step 0..steps, with batch noise: tag -> values.

    The mel (45 x L1), KL and duration terms keep falling. Feature matching
    rises slowly as the discriminator strengthens; once the discriminator
    overfits (after OVERFIT_START of the run) it and the adversarial term rise
    fast, so loss/g/total falls, flattens, then rises while loss/d/total drops.
    """
    fraction = np.arange(steps + 1) / max(1, steps)
    overfit = (np.maximum(0.0, fraction - OVERFIT_START) / (1 - OVERFIT_START)) ** 1.5
    noise = rng.standard_normal((6, steps + 1))
    mel = 45 * (0.35 + 0.45 * np.exp(-fraction / 0.06) + 0.15 * np.exp(-fraction / 0.5)) + 0.9 * noise[0]
    kl = 1.1 + 5.0 * np.exp(-fraction / 0.04) + 0.12 * noise[1]
    duration = 1.25 + 0.6 * np.exp(-fraction / 0.1) + 0.06 * noise[2]
    feature_matching = 6.0 - 3.5 * np.exp(-fraction / 0.25) + 5.0 * overfit + 0.35 * noise[3]
    adversarial = 2.3 + 0.3 * fraction + 1.2 * overfit + 0.12 * noise[4]
    discriminator = 2.7 - 0.15 * fraction - 0.7 * overfit + 0.08 * noise[5]
    total = adversarial + feature_matching + mel + duration + kl
    # Scalars are stored as float32; the tracker sees the values TensorBoard will show.
    losses = {
        "loss/g/total": total,
        "loss/d/total": discriminator,
        "loss/g/mel": mel,
        "loss/g/kl": kl,
        "loss/g/dur": duration,
        "loss/g/fm": feature_matching,
    }
    return {tag: values.astype(np.float32) for tag, values in losses.items()}


def save_checkpoints(run: str, step: int) -> str:
    """Saves G and D at `step` and deletes the older saves as So-VITS-SVC does; returns G's path.

    Its `clean_checkpoints` keeps the last KEEP_CHECKPOINTS of each model
    and never deletes G_0.pth and D_0.pth (the pretrained base models).
    """
    for model in "GD":
        with open(os.path.join(run, f"{model}_{step}.pth"), "wb") as f:
            f.write(f"demo {model} weights at step {step}\n".encode())
    saved: Dict[str, List[int]] = {"G": [], "D": []}
    for name in os.listdir(run):
        match = _CHECKPOINT_NAME.fullmatch(name)
        if match and int(match.group(2)) > 0:
            saved[match.group(1)].append(int(match.group(2)))
    for model, saved_steps in saved.items():
        for old in sorted(saved_steps)[:-KEEP_CHECKPOINTS]:
            os.remove(os.path.join(run, f"{model}_{old}.pth"))
    return os.path.join(run, f"G_{step}.pth")


# ---------------------------------------------------------------------------
# The run


def write_tts(logdir: str, steps: int, every: int, rng: np.random.Generator) -> None:
    """A VITS run: losses every step, checkpoints every CHECKPOINT_INTERVAL, mels every `every` steps.

    The reference's full target is logged once, at step 0, as a single
    spectrogram; with each comparison of the reference go the attention
    alignment of it, also logged alone (`alignment/reference`), and audio:
    the target's (at step 0 only), synthesized from the model of its mel, and the
    prediction's, the predicted mel's magnitude under the target's phase
    (`griffin_lim` with no iterations: a vocoder that has the speaker's
    voicing but the model's spectrum), quiet and muffled early, close to the
    target late.
    """
    run = os.path.join(logdir, "tts")
    os.makedirs(run, exist_ok=True)
    reference = utterance(*REFERENCE, np.random.default_rng(REFERENCE_SEED), audio=True)
    spectrum = stft(cast(np.ndarray, reference.audio))  # synthesized: audio=True
    reference_phase = spectrum / np.maximum(np.abs(spectrum), 1e-30)
    reference_phones = phones(REFERENCE[1], np.random.default_rng(REFERENCE_SEED))
    training_set = training_utterances()
    # Spawned, not drawn from: the attention's draws leave the other streams as they were.
    (attention_rng,) = rng.spawn(1)
    failures = failure_steps(range(0, steps + 1, every), steps, attention_rng)
    losses = vits_losses(steps, rng)
    with spectro_summary.Writer(run) as writer:
        spectro_summary.spectrogram(
            "mel/full_target",
            reference.target,
            0,
            writer=writer,
            sample_ids=reference.sample_id,
            texts=reference.text,
            sample_rate=SAMPLE_RATE,
            hop_length=HOP_LENGTH,
        )
        tracker = spectro_summary.LowestPointTracker("loss/g/total", writer=writer, smoothing=LOSS_SMOOTHING)
        for step in range(steps + 1):
            for tag, values in losses.items():
                writer.add_scalar(tag, float(values[step]), step)
            saved = save_checkpoints(run, step) if step % CHECKPOINT_INTERVAL == 0 else None
            tracker.update(
                step, float(losses["loss/g/total"][step]), epoch=step // STEPS_PER_EPOCH, checkpoint_path=saved
            )
            if step % every == 0:
                weights = attention(
                    reference_phones.durations,
                    convergence(step, steps, ALIGNMENT_PACE),
                    attention_rng,
                    failures.get(step),
                )
                _write_reference(writer, step, steps, reference, reference_phase, reference_phones, weights, rng)
                _write_train(writer, step, steps, training_set, rng)


def _write_reference(
    writer,
    step: int,
    steps: int,
    reference: Utterance,
    reference_phase: np.ndarray,
    reference_phones: Phones,
    weights: np.ndarray,
    rng: np.random.Generator,
) -> None:
    predicted = predicted_mel(reference, convergence(step, steps, 0.2), rng)
    spectro_summary.mel_comparison(
        "mel/reference",
        reference.target,
        predicted,
        step,
        writer=writer,
        sample_ids=reference.sample_id,
        texts=reference.text,
        sample_rate=SAMPLE_RATE,
        hop_length=HOP_LENGTH,
        alignment=weights,
        tokens=reference_phones.tokens,
        # The ground truth once, at the first step, as vocoder recipes log it; the pane offers it later on.
        target_audio=reference.audio if step == 0 else None,
        predicted_audio=griffin_lim(predicted, VOCODER_ITERATIONS, phase=reference_phase),
    )
    spectro_summary.alignment(
        "alignment/reference",
        weights,
        step,
        writer=writer,
        tokens=reference_phones.tokens,
        sample_ids=reference.sample_id,
        texts=reference.text,
        sample_rate=SAMPLE_RATE,
        hop_length=HOP_LENGTH,
    )


def _write_train(writer, step: int, steps: int, training_set: List[Utterance], rng: np.random.Generator) -> None:
    # A batch as a length-sorting collate hands it over: longest first, the rest padded.
    chosen = rng.choice(len(training_set), BATCH_SIZE, replace=False)
    batch = sorted((training_set[i] for i in chosen), key=lambda sample: -sample.target.shape[1])
    lengths = [sample.target.shape[1] for sample in batch]
    targets = np.full((BATCH_SIZE, N_MELS, lengths[0]), SILENCE, dtype=np.float32)
    predictions = targets.copy()
    fit = convergence(step, steps, 0.15)  # the training set is fitted sooner
    for index, sample in enumerate(batch):
        targets[index, :, : lengths[index]] = sample.target
        predictions[index, :, : lengths[index]] = predicted_mel(sample, fit, rng)
    spectro_summary.mel_comparison(
        "mel/train",
        targets,
        predictions,
        step,
        writer=writer,
        lengths=lengths,
        max_outputs=BATCH_SIZE,
        sample_ids=[sample.sample_id for sample in batch],
        texts=[sample.text for sample in batch],
        sample_rate=SAMPLE_RATE,
        hop_length=HOP_LENGTH,
    )
