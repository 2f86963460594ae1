"""The demo's `diffusion` run: a DiffSinger-like decoder's noise predictions, on mels and on a latent of them."""

import os
from typing import Tuple

import numpy as np

from tb_plugin_spectro import summary as spectro_summary
from tb_plugin_spectro.demo.speech import SILENCE, Utterance, blur, convergence, training_utterances

TOTAL_TIMESTEPS = 1000  # T
_BETAS = np.linspace(1e-4, 0.02, TOTAL_TIMESTEPS)  # DDPM's linear schedule
_ALPHA_BARS = np.cumprod(1.0 - _BETAS)
# Signal-to-noise ratio of x_t: 1e4 at t = 0, 1 near t = 250, 4e-5 at t = T - 1.
SNR = _ALPHA_BARS / (1.0 - _ALPHA_BARS)
SEGMENT_FRAMES = 128  # frames of mel per training pair, about 1.5 s
VIDEO_FRAMES = 6  # frames of a latent video clip
VIDEO_BATCH = 2  # clips of a logged video batch
_NORMALIZED_MAX = 2.5  # the log-mel mapped to +1; SILENCE is mapped to -1
_LATENT_DOWNSAMPLING = 4  # mel bins and frames per latent cell, each way
_UNTRAINED_OUTPUT = 0.1  # std of an untrained network's output
_NETWORK_ERROR = 0.01  # variance of the network's own error before it has learned anything
_KNOWN_FLOOR = 1e-5  # variance left where the prior holds the mel (silence)


def _normalized(mel: np.ndarray) -> np.ndarray:
    """A log-mel mapped to [-1, 1], as DiffSinger's spec_min / spec_max normalization does."""
    return np.clip(2.0 * (mel - SILENCE) / (_NORMALIZED_MAX - SILENCE) - 1.0, -1.0, 1.0)


def _local_mean(values: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian average over the last two axes (frequency and time)."""
    return blur(blur(values, sigma, axis=-1), sigma, axis=-2)


def predicted_noise(
    clean: np.ndarray,
    prior: np.ndarray,
    noise: np.ndarray,
    timestep: int,
    unknown: float,
    untrained: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """An epsilon-prediction model's output for x_t = sqrt(abar_t) clean + sqrt(1 - abar_t) noise.

    From its conditioning the model knows `prior` (the encoder's over-smoothed
    mel); of the rest, d = clean - prior, the fraction `unknown` (of its
    variance) is not learned yet. Treating that part as Gaussian with the
    local variance v of d, the best estimate of the noise errs by

        sqrt(snr) (1 - k) d - k noise,  k = snr v / (1 + snr v),

    whose variance is k: near 1 at small t where the mel has detail (x_t is
    almost clean, the noise hides in that detail), near 0 at large t (x_t is
    almost the noise itself) and in silence, which the prior already holds.
    A network's own error (smooth, shrinking as it learns) is added, and
    `untrained` in [0, 1] mixes in the small random output of an untrained one.
    """
    snr = SNR[timestep]
    residual = np.sqrt(unknown) * (clean - prior)
    variance = _local_mean(residual**2, 1.5) + _KNOWN_FLOOR
    gain = snr * variance / (1.0 + snr * variance)
    error = np.sqrt(snr) * (1.0 - gain) * residual - gain * noise
    field = _local_mean(rng.standard_normal(noise.shape), 1.0)
    error += np.sqrt(_NETWORK_ERROR * unknown) * field / field.std()
    output = noise + error
    return (1.0 - untrained) * output + untrained * _UNTRAINED_OUTPUT * rng.standard_normal(noise.shape)


def latent(mel: np.ndarray) -> np.ndarray:
    """A [4, n_mels / 4, frames / 4] latent of a normalized mel, standing in for a VAE's.

    Per 4 x 4 block: the level, its slopes across frequency and across time,
    and the texture (the spread within the block: harmonics, noise). The
    channels differ in how much detail the conditioning leaves unknown, so
    in how hard they are to denoise.
    """
    bins, frames = mel.shape
    cell = _LATENT_DOWNSAMPLING
    blocks = mel.reshape(bins // cell, cell, frames // cell, cell)
    level = blocks.mean(axis=(1, 3))
    return np.stack([level, np.gradient(level, axis=0), np.gradient(level, axis=1), blocks.std(axis=(1, 3))])


def _segment(sample: Utterance, rng: np.random.Generator) -> Tuple[np.ndarray, np.ndarray]:
    """A random SEGMENT_FRAMES window of `sample`: the normalized target and the encoder's over-smoothed mel."""
    start = int(rng.integers(0, sample.target.shape[1] - SEGMENT_FRAMES + 1))
    window = slice(start, start + SEGMENT_FRAMES)
    return _normalized(sample.target[:, window]), _normalized(sample.smoothed[-1][:, window])


def _latent_video(sample: Utterance, rng: np.random.Generator) -> Tuple[np.ndarray, np.ndarray]:
    """[4, VIDEO_FRAMES, n_mels / 4, SEGMENT_FRAMES / 4] latents of SEGMENT_FRAMES windows sliding along `sample`.

    A stand-in for a latent video diffusion model's clip (Text2Sign's sign
    videos): each frame of the clip is the latent of the next window of the
    mel, so neighbouring frames are alike. The clean latents and the
    encoder's over-smoothed ones, each channel at unit variance.
    """
    frames = sample.target.shape[1]
    hop = max(1, (frames - SEGMENT_FRAMES) // (VIDEO_FRAMES - 1))
    start = int(rng.integers(0, frames - SEGMENT_FRAMES - hop * (VIDEO_FRAMES - 1) + 1))
    clean, prior = [], []
    for index in range(VIDEO_FRAMES):
        window = slice(start + index * hop, start + index * hop + SEGMENT_FRAMES)
        clean.append(latent(_normalized(sample.target[:, window])))
        prior.append(latent(_normalized(sample.smoothed[-1][:, window])))
    clean_video, prior_video = np.stack(clean, axis=1), np.stack(prior, axis=1)
    scale = clean_video.std(axis=(1, 2, 3), keepdims=True)
    return clean_video / scale, prior_video / scale


def write_diffusion(logdir: str, steps: int, every: int, rng: np.random.Generator) -> None:
    """A mel diffusion decoder's noise pairs, a latent one's, and a latent video one's batches of clips.

    Each pair is at a random timestep; each clip of a video batch
    (`diffusion/video_noise`, [batch, channels, frames, height, width]) at
    its own.
    """
    (video_rng,) = rng.spawn(1)  # spawned: the other pairs draw as they did before videos
    training_set = training_utterances()
    with spectro_summary.Writer(os.path.join(logdir, "diffusion")) as writer:
        for step in range(0, steps + 1, every):
            unknown = 0.08 + 0.92 * (1.0 - convergence(step, steps, 0.25)) ** 2
            # x_t itself is a fair guess of the noise at large t: learned within the first few steps.
            untrained = float(np.exp(-step / (0.02 * max(1, steps))))
            clean, prior = _segment(training_set[int(rng.integers(len(training_set)))], rng)
            clean_latent, prior_latent = latent(clean), latent(prior)
            scale = clean_latent.std(axis=(1, 2), keepdims=True)  # each channel to unit variance
            for tag, clean_part, prior_part in (
                ("diffusion/noise", clean, prior),
                ("diffusion/latent_noise", clean_latent / scale, prior_latent / scale),
            ):
                timestep = int(rng.integers(TOTAL_TIMESTEPS))
                noise = rng.standard_normal(clean_part.shape)
                predicted = predicted_noise(clean_part, prior_part, noise, timestep, unknown, untrained, rng)
                spectro_summary.noise_pair(
                    tag,
                    predicted.astype(np.float32),
                    noise.astype(np.float32),
                    step,
                    timestep=timestep,
                    total_timesteps=TOTAL_TIMESTEPS,
                    writer=writer,
                )
            clips = [_latent_video(training_set[i], video_rng) for i in range(VIDEO_BATCH)]
            timesteps = video_rng.integers(TOTAL_TIMESTEPS, size=VIDEO_BATCH)
            noises = video_rng.standard_normal((VIDEO_BATCH, *clips[0][0].shape))
            predicted_clips = [
                predicted_noise(clean_clip, prior_clip, clip_noise, int(t), unknown, untrained, video_rng)
                for (clean_clip, prior_clip), clip_noise, t in zip(clips, noises, timesteps)
            ]
            spectro_summary.noise_pair(
                "diffusion/video_noise",
                np.stack(predicted_clips).astype(np.float32),
                noises.astype(np.float32),
                step,
                timestep=timesteps,
                total_timesteps=TOTAL_TIMESTEPS,
                writer=writer,
            )
