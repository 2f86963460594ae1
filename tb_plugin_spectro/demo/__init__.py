"""Writes a demo logdir that looks like real training runs.

    python -m tb_plugin_spectro.demo LOGDIR [--steps N] [--every N]

Three runs, one module each (`tts`, `diffusion`, `contrastive`), from the
speech of `speech`:

- `tts`: a VITS run on a small LJSpeech-like set. The targets are log-mels
  as HiFi-GAN and VITS compute them (22050 Hz, hop 256, 1024-point STFT, 80
  Slaney mel bins up to 8 kHz, log of the mel clamped at 1e-5), synthesized
  from the transcripts with a source-filter model: glottal harmonics under a
  pitch contour, moving formants, fricative noise, stop closures and bursts,
  pauses. The predictions start over-smoothed and biased and sharpen towards
  the targets. A held-out reference utterance (`mel/reference`) and a
  length-sorted batch of three training utterances (`mel/train`) are logged
  every `every` steps; with each comparison of the reference goes a
  Tacotron-like attention alignment of it over its phones
  (`alignment/reference`, also attached to `mel/reference`): broad and
  blotchy at first, then a sharp monotonic path along the phones' true
  durations, except at three logged steps where it skips or repeats a few
  phones. The reference's comparisons carry its audio: the target's,
  synthesized from the same source-filter model as its mel, once at step 0,
  and at every logged step the prediction's, its mel's magnitude under the
  target's phase (muffled early, close to the target late). The reference's
  full target is logged once as a single spectrogram (`mel/full_target`,
  step 0). Every step logs VITS's losses (`loss/g/total`,
  `loss/d/total`, `loss/g/mel`, `loss/g/kl`, `loss/g/fm`, `loss/g/dur`):
  the generator's total falls, flattens, and from 55 % of the run rises
  again as the discriminator overfits. `G_{step}.pth` and `D_{step}.pth`
  are saved every 50 steps, and as So-VITS-SVC's `keep_ckpts` does, all but
  the last five saves are deleted (step 0's stay). A `LowestPointTracker`
  (smoothing 0.95) marks each new low of `loss/g/total` with the checkpoint
  saved at that step, if one was.
  By design the final low falls on the plateau before the rise (near step
  230 of the default 400), between two saves that were kept (200 and 250),
  while the saves of the earlier lows were deleted: the lowest-point view
  shows both, a checkpoint to keep and the markers whose files are gone.
- `diffusion`: a DiffSinger-like decoder trained with epsilon prediction
  (DDPM, T = 1000, linear betas), every 2 x `every` steps one training pair
  at a random timestep: `diffusion/noise` [80, 128], a segment of a
  training mel normalized to [-1, 1], and `diffusion/latent_noise`
  [4, 20, 32], a 4-channel latent of it. The noise is hard to predict at
  small t, where x_t is almost clean (MSE near 1), and easy at large t
  (near 0); the error follows the mel's detail and shrinks with training,
  so the MSE against the step jumps with t while each timestep's falls.
  `diffusion/video_noise` is a latent video model's batch of two clips
  [4, 6, 20, 32] (each frame the latent of the next window of a mel), each
  clip at its own timestep.
- `contrastive`: a CLAP-like model's cosine similarity `align/text_audio`
  between 32 captions of speech clips (rows) and the clips (columns, file
  names) of a fixed evaluation batch, every 5 x `every` steps. Near-uniform
  at first; the speaker is learned first, then the style, then each clip's
  own content, so captions that share speaker and style words stay confused
  longest. Late, the diagonal is about 0.45 and the rest about 0.1.
"""

import argparse
import time
from typing import List, Optional

import numpy as np

from tb_plugin_spectro.demo.contrastive import CLIPS, EMBEDDING_DIM, Clip, clap_embeddings, write_contrastive
from tb_plugin_spectro.demo.diffusion import (
    SEGMENT_FRAMES,
    SNR,
    TOTAL_TIMESTEPS,
    latent,
    predicted_noise,
    write_diffusion,
)
from tb_plugin_spectro.demo.speech import (
    F_MAX,
    HOP_LENGTH,
    MEL_FLOOR,
    N_FFT,
    N_MELS,
    REFERENCE,
    SAMPLE_RATE,
    SILENCE,
    TRAINING_SET,
    Utterance,
    convergence,
    mel_filterbank,
    predicted_mel,
    speech_mel,
    utterance,
)
from tb_plugin_spectro.demo.tts import (
    BATCH_SIZE,
    CHECKPOINT_INTERVAL,
    KEEP_CHECKPOINTS,
    LOSS_SMOOTHING,
    OVERFIT_START,
    STEPS_PER_EPOCH,
    save_checkpoints,
    vits_losses,
    write_tts,
)

__all__ = [
    "BATCH_SIZE",
    "CHECKPOINT_INTERVAL",
    "CLIPS",
    "EMBEDDING_DIM",
    "F_MAX",
    "HOP_LENGTH",
    "KEEP_CHECKPOINTS",
    "LOSS_SMOOTHING",
    "MEL_FLOOR",
    "N_FFT",
    "N_MELS",
    "OVERFIT_START",
    "REFERENCE",
    "SAMPLE_RATE",
    "SEGMENT_FRAMES",
    "SILENCE",
    "SNR",
    "STEPS_PER_EPOCH",
    "TOTAL_TIMESTEPS",
    "TRAINING_SET",
    "Clip",
    "Utterance",
    "clap_embeddings",
    "convergence",
    "latent",
    "main",
    "mel_filterbank",
    "predicted_mel",
    "predicted_noise",
    "save_checkpoints",
    "speech_mel",
    "utterance",
    "vits_losses",
    "write_contrastive",
    "write_demo",
    "write_diffusion",
    "write_tts",
]


def write_demo(logdir: str, steps: int = 400, every: int = 2, seed: int = 0) -> None:
    """Writes the three demo runs under `logdir`, each from its own stream of `seed`."""
    tts_rng, diffusion_rng, contrastive_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3))
    write_tts(logdir, steps, every, tts_rng)
    write_diffusion(logdir, steps, every * 2, diffusion_rng)
    write_contrastive(logdir, steps, every * 5, contrastive_rng)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tb_plugin_spectro.demo", description="Writes Spectro's demo logdir."
    )
    parser.add_argument("logdir")
    parser.add_argument("--steps", type=int, default=400, help="training steps to simulate")
    parser.add_argument("--every", type=int, default=2, help="steps between logged mels")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    write_demo(args.logdir, args.steps, args.every)
    print(f"wrote the demo logdir {args.logdir} in {time.perf_counter() - start:.1f} s")
    return 0
