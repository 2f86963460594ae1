"""Bad input: a clear error naming the parameter and the value, nothing written."""

import gc
import os
import pathlib
import shutil
import weakref

import numpy as np
import pytest

from support.logdir import read_logdir
from tb_plugin_spectro import plugin_data_pb2 as pb
from tb_plugin_spectro import summary as spectro_summary

try:
    import torch
except ImportError:  # the torch cases are left out
    torch = None

MEL = np.zeros((80, 20), dtype=np.float32)
EMB = np.ones((4, 8), dtype=np.float32)
VIDEOS = np.zeros((2, 3, 4, 5, 6), dtype=np.float32)  # a batch of noise videos [B, C, T, H, W]


def mel(**overrides):
    args = dict(tag="mel", target=MEL, predicted=MEL, step=1)
    args.update(overrides)
    return lambda writer: spectro_summary.mel_comparison(
        args.pop("tag"), args.pop("target"), args.pop("predicted"), args.pop("step"), writer=writer, **args
    )


def noise(**overrides):
    args = dict(tag="noise", predicted=MEL, actual=MEL, step=1)
    args.update(overrides)
    return lambda writer: spectro_summary.noise_pair(
        args.pop("tag"), args.pop("predicted"), args.pop("actual"), args.pop("step"), writer=writer, **args
    )


def similarity(**overrides):
    args = dict(tag="sim", a=EMB, b=EMB, step=1)
    args.update(overrides)
    return lambda writer: spectro_summary.similarity_matrix(
        args.pop("tag"), args.pop("a"), args.pop("b"), args.pop("step"), writer=writer, **args
    )


def lowest(**overrides):
    args = dict(tag="loss", value=1.0, step=1)
    args.update(overrides)
    return lambda writer: spectro_summary.lowest_point(
        args.pop("tag"), args.pop("value"), args.pop("step"), writer=writer, **args
    )


def single(**overrides):
    args = dict(tag="spec", mel=MEL, step=1)
    args.update(overrides)
    return lambda writer: spectro_summary.spectrogram(
        args.pop("tag"), args.pop("mel"), args.pop("step"), writer=writer, **args
    )


ATTN = np.full((5, 20), 0.2, dtype=np.float32)


def align(**overrides):
    args = dict(tag="align", weights=ATTN, step=1)
    args.update(overrides)
    return lambda writer: spectro_summary.alignment(
        args.pop("tag"), args.pop("weights"), args.pop("step"), writer=writer, **args
    )


WAVE = np.zeros(20 * 256, dtype=np.float32)


def audio(**overrides):
    """A mel comparison with audio; the overrides replace or add to its arguments."""
    args = dict(target_audio=WAVE, sample_rate=22050, hop_length=256)
    args.update(overrides)
    return mel(**{k: v for k, v in args.items() if v is not _LEFT_OUT})


_LEFT_OUT = object()

CASES = [
    # (id, call, error, message pattern)
    (
        "audio without sample_rate",
        audio(sample_rate=_LEFT_OUT),
        ValueError,
        r"sample_rate is needed with target_audio, to play it",
    ),
    (
        "audio sample_rate not an integer",
        audio(sample_rate=22050.0),
        TypeError,
        r"sample_rate must be an integer, got float 22050.0",
    ),
    ("audio sample_rate zero", audio(sample_rate=0), ValueError, r"sample_rate must be >= 1, got 0"),
    ("audio sample_rate negative", audio(sample_rate=-8000), ValueError, r"sample_rate must be >= 1, got -8000"),
    (
        "audio 3-D",
        audio(target_audio=np.zeros((1, 1, 5))),
        ValueError,
        r"target_audio must be 1-D or 2-D \[samples\] or \[batch, samples\] of mono audio, got shape \(1, 1, 5\)",
    ),
    (
        "audio empty",
        audio(predicted_audio=np.zeros(0)),
        ValueError,
        r"predicted_audio must not be empty, got shape \(0,\)",
    ),
    (
        "audio strings",
        audio(target_audio=np.array(["a", "b"])),
        TypeError,
        r"target_audio must hold numbers, got dtype <U1",
    ),
    ("audio a path", audio(target_audio="a.wav"), TypeError, r"target_audio must be an array .*got str"),
    (
        "audio int32",
        audio(target_audio=np.zeros(100, np.int32)),
        TypeError,
        r"target_audio must be float audio in \[-1, 1\] or int16 PCM, got dtype int32",
    ),
    (
        "audio complex",
        audio(target_audio=np.zeros(100, np.complex64)),
        TypeError,
        r"target_audio must be real-valued, got complex dtype complex64",
    ),
    (
        "audio batch of another size",
        audio(target_audio=np.zeros((2, 100))),
        ValueError,
        r"target_audio must have one waveform per sample of the mels' batch \(1\), got 2",
    ),
    (
        "audio length beyond its samples",
        audio(audio_lengths=[5121]),
        ValueError,
        r"audio_lengths\[0\] must be at most the 5120 samples given, got 5121",
    ),
    ("audio length zero", audio(audio_lengths=[0]), ValueError, r"audio_lengths\[0\] must be >= 1, got 0"),
    (
        "audio lengths without audio",
        mel(audio_lengths=[3]),
        ValueError,
        r"audio_lengths counts the valid samples of audio; pass target_audio= or predicted_audio= with it",
    ),
    (
        "audio above max_elements",
        audio(target_audio=np.zeros(4000), max_elements=3000),
        ValueError,
        r"target_audio has 4000 values, more than max_elements=3000",
    ),
    ("tag not a string", mel(tag=3), TypeError, r"tag must be a string, got int 3"),
    ("tag empty", noise(tag=""), ValueError, r"tag must be a non-empty string, got ''"),
    ("tag blank", lowest(tag="  "), ValueError, r"tag must be a non-empty string, got '  '"),
    ("step negative", mel(step=-1), ValueError, r"step must be >= 0, got -1"),
    ("step float", noise(step=1.5), TypeError, r"step must be an integer, got float 1.5"),
    ("step bool", similarity(step=True), TypeError, r"step must be an integer, got bool True"),
    ("step string", lowest(step="10"), TypeError, r"step must be an integer, got str '10'"),
    ("step too large", mel(step=2**63), ValueError, r"step must be below 2\*\*63"),
    (
        "target 1-D",
        mel(target=np.zeros(80)),
        ValueError,
        r"target must be 2-D or 3-D \[n_mels, frames\].*got shape \(80,\)",
    ),
    ("target 4-D", mel(target=np.zeros((1, 1, 80, 20))), ValueError, r"target must be 2-D or 3-D.*\(1, 1, 80, 20\)"),
    ("target empty", mel(target=np.zeros((80, 0))), ValueError, r"target must not be empty, got shape \(80, 0\)"),
    ("target None", mel(target=None), TypeError, r"target must be an array \[n_mels, frames\].*got None"),
    ("target string", mel(target="mel.npy"), TypeError, r"target must be an array .*got str 'mel.npy'"),
    ("target ragged", mel(target=[[1, 2], [3]]), TypeError, r"target must be an array .*does not convert"),
    (
        "target complex",
        mel(target=MEL.astype(np.complex64)),
        TypeError,
        r"target must be real-valued, got complex dtype complex64",
    ),
    (
        "target object",
        mel(target=np.array([["a", "b"]], dtype=object)),
        TypeError,
        r"target must hold numbers, got dtype object",
    ),
    ("target bool", mel(target=np.ones((2, 2), dtype=bool)), TypeError, r"target must hold numbers, got dtype bool"),
    ("predicted strings", mel(predicted=np.array([["a"]])), TypeError, r"predicted must hold numbers, got dtype <U1"),
    ("mel bins differ", mel(predicted=np.zeros((64, 20))), ValueError, r"same number of mel bins, got 80 and 64"),
    ("batch vs single", mel(predicted=np.zeros((2, 80, 20))), ValueError, r"both be one mel or both a batch"),
    (
        "batch sizes differ",
        mel(target=np.zeros((3, 80, 20)), predicted=np.zeros((2, 80, 20))),
        ValueError,
        r"same batch size, got 3 and 2",
    ),
    (
        "layout unknown",
        mel(layout="time_first"),
        ValueError,
        r"layout must be one of 'mels_frames', 'frames_mels'; got 'time_first'",
    ),
    (
        "length_mismatch unknown",
        mel(length_mismatch="stretch"),
        ValueError,
        r"length_mismatch must be one of 'crop', 'pad'; got 'stretch'",
    ),
    (
        "precision unknown",
        mel(precision="int4"),
        ValueError,
        r"precision must be one of 'uint8', 'uint16', 'float16', 'float32'; got 'int4'",
    ),
    ("precision not a string", noise(precision=8), TypeError, r"precision must be one of .*; got 8"),
    ("precision None", similarity(precision=None), TypeError, r"precision must be one of .*; got None \(NoneType"),
    (
        "layout not a string",
        mel(layout=3),
        TypeError,
        r"layout must be one of 'mels_frames', 'frames_mels'; got 3 \(int",
    ),
    ("length_mismatch not a string", mel(length_mismatch=b"pad"), TypeError, r"length_mismatch must be one of"),
    ("max_outputs zero", mel(max_outputs=0), ValueError, r"max_outputs must be >= 1, got 0"),
    (
        "lengths wrong count",
        mel(target=np.zeros((2, 80, 20)), predicted=np.zeros((2, 80, 20)), lengths=[5]),
        ValueError,
        r"lengths must have one length per sample \(2\), got 1",
    ),
    ("lengths too long", mel(lengths=[21]), ValueError, r"lengths\[0\] must be at most the 20 frames given, got 21"),
    ("lengths zero", mel(lengths=[0]), ValueError, r"lengths\[0\] must be >= 1, got 0"),
    ("lengths not integers", mel(lengths=["5"]), TypeError, r"lengths\[0\] must be an integer, got str '5'"),
    (
        "predicted_lengths too long",
        mel(predicted_lengths=[30]),
        ValueError,
        r"predicted_lengths\[0\] must be at most the 20 frames",
    ),
    (
        "sample_ids wrong count",
        mel(sample_ids=["a", "b"]),
        ValueError,
        r"sample_ids must have one string per sample \(1\), got 2",
    ),
    ("sample_ids not strings", mel(sample_ids=[7]), TypeError, r"sample_ids\[0\] must be a string, got int 7"),
    ("texts wrong type", mel(texts=42), TypeError, r"texts must be a list of strings, got int 42"),
    ("sample_rate zero", mel(sample_rate=0), ValueError, r"sample_rate must be >= 1, got 0"),
    ("hop_length float", mel(hop_length=256.0), TypeError, r"hop_length must be an integer, got float 256.0"),
    (
        "too large",
        mel(max_elements=100),
        ValueError,
        r"target has 1600 values, more than max_elements=100; pass a larger max_elements",
    ),
    (
        "float16 overflow",
        mel(target=MEL + 1e5, precision="float16"),
        ValueError,
        r"target has finite values up to 100000 .*float16.*'uint16' or 'float32'",
    ),
    (
        "noise shapes differ",
        noise(actual=np.zeros((80, 21))),
        ValueError,
        r"predicted and actual must have the same shape, got \(80, 20\) and \(80, 21\)",
    ),
    (
        "noise 6-D",
        noise(predicted=np.zeros((1, 2, 3, 4, 5, 6))),
        ValueError,
        r"predicted must be 2-D or 3-D or 4-D or 5-D \[H, W\], a stack \[C, H, W\], a video \[C, T, H, W\] "
        r"or a batch \[B, C, T, H, W\], got shape \(1, 2, 3, 4, 5, 6\)",
    ),
    (
        "noise 1-D in frames_channels",
        noise(predicted=np.zeros(4), layout="frames_channels"),
        ValueError,
        r"a video \[T, C, H, W\] or a batch \[B, T, C, H, W\], got shape \(4,\)",
    ),
    (
        "noise videos differ",
        noise(predicted=np.zeros((3, 4, 5, 6)), actual=np.zeros((4, 3, 5, 6))),
        ValueError,
        r"predicted and actual must have the same shape, got \(3, 4, 5, 6\) and \(4, 3, 5, 6\)",
    ),
    (
        "noise layout unknown",
        noise(layout="tchw"),
        ValueError,
        r"layout must be one of 'channels_frames', 'frames_channels'; got 'tchw'",
    ),
    ("noise max_outputs zero", noise(max_outputs=0), ValueError, r"max_outputs must be >= 1, got 0"),
    (
        "noise timesteps of a single pair",
        noise(timestep=[1, 2]),
        TypeError,
        r"timestep must be an integer, got list \[1, 2\]",
    ),
    (
        "noise timesteps not one per video",
        noise(predicted=VIDEOS, actual=VIDEOS, timestep=[1, 2, 3]),
        ValueError,
        r"timestep must be one integer or one per sample \(2\), got 3",
    ),
    (
        "noise timestep of a video beyond schedule",
        noise(predicted=VIDEOS, actual=VIDEOS, timestep=[1, 1000], total_timesteps=1000),
        ValueError,
        r"timestep\[1\] must be below total_timesteps=1000, got 1000",
    ),
    (
        "noise one timestep for every video beyond schedule",
        noise(predicted=VIDEOS, actual=VIDEOS, timestep=1000, total_timesteps=1000),
        ValueError,
        r"^timestep must be below total_timesteps=1000, got 1000",
    ),
    (
        "noise timestep of a video negative",
        noise(predicted=VIDEOS, actual=VIDEOS, timestep=np.array([3, -1])),
        ValueError,
        r"timestep\[1\] must be >= 0, got -1",
    ),
    (
        "noise timestep of a video fractional",
        noise(predicted=VIDEOS, actual=VIDEOS, timestep=[3, 2.5]),
        TypeError,
        r"timestep\[1\] must be an integer, got float 2.5",
    ),
    (
        "noise timesteps strings",
        noise(predicted=VIDEOS, actual=VIDEOS, timestep=["1", "2"]),
        TypeError,
        r"timestep must hold integers, got dtype <U1",
    ),
    (
        "noise timesteps bool",
        noise(predicted=VIDEOS, actual=VIDEOS, timestep=True),
        TypeError,
        r"timestep must be an integer, got bool True",
    ),
    ("timestep negative", noise(timestep=-5), ValueError, r"timestep must be >= 0, got -5"),
    (
        "timestep beyond schedule",
        noise(timestep=1000, total_timesteps=1000),
        ValueError,
        r"timestep must be below total_timesteps=1000, got 1000",
    ),
    ("total_timesteps zero", noise(total_timesteps=0), ValueError, r"total_timesteps must be >= 1, got 0"),
    (
        "embedding dims differ",
        similarity(b=np.ones((4, 7))),
        ValueError,
        r"a and b must have the same embedding dimension, got a \(4, 8\) and b \(4, 7\)",
    ),
    (
        "embeddings 1-D",
        similarity(a=np.ones(8)),
        ValueError,
        r"a must be 2-D \[N, D\] \(N embeddings\), got shape \(8,\)",
    ),
    (
        "matrix 3-D",
        similarity(a=np.ones((2, 2, 2)), b=None),
        ValueError,
        r"a must be 2-D \[N, M\] \(a similarity matrix, as b is None\)",
    ),
    (
        "labels_a wrong count",
        similarity(labels_a=["x"] * 3),
        ValueError,
        r"labels_a must have one string per row of the matrix \(4\), got 3",
    ),
    (
        "labels_b not strings",
        similarity(labels_b=[1, 2, 3, 4]),
        TypeError,
        r"labels_b\[0\] must be a string, got int 1",
    ),
    ("labels_a a dict", similarity(labels_a={"a": 1}), TypeError, r"labels_a must be a list of strings, got dict"),
    (
        "matrix too large",
        similarity(a=np.ones((20, 2)), b=np.ones((20, 2)), max_elements=100),
        ValueError,
        r"similarity matrix .* has 400 values, more than max_elements=100",
    ),
    ("value NaN", lowest(value=float("nan")), ValueError, r"value must be finite, got nan"),
    ("value string", lowest(value="0.5"), TypeError, r"value must be a real number, got str '0.5'"),
    ("value array", lowest(value=np.ones(3)), TypeError, r"value must be a real number, got ndarray"),
    ("smoothing one", lowest(smoothing=1.0), ValueError, r"smoothing must be in \[0, 1\).*got 1.0"),
    ("epoch negative", lowest(epoch=-1), ValueError, r"epoch must be >= 0, got -1"),
    (
        "checkpoint_path number",
        lowest(checkpoint_path=5),
        TypeError,
        r"checkpoint_path must be a string or path, got int 5",
    ),
    ("walltime string", lowest(walltime="now"), TypeError, r"walltime must be a real number, got str 'now'"),
    ("display_name number", mel(display_name=5), TypeError, r"display_name must be a string, got int 5"),
    # Single spectrograms: the mel comparison's checks.
    ("spectrogram 1-D", single(mel=np.zeros(80)), ValueError, r"mel must be 2-D or 3-D \[n_mels, frames\].*\(80,\)"),
    ("spectrogram 4-D", single(mel=np.zeros((1, 1, 2, 2))), ValueError, r"mel must be 2-D or 3-D.*\(1, 1, 2, 2\)"),
    ("spectrogram None", single(mel=None), TypeError, r"mel must be an array \[n_mels, frames\].*got None"),
    ("spectrogram layout", single(layout="mels"), ValueError, r"layout must be one of 'mels_frames', 'frames_mels'"),
    (
        "spectrogram lengths count",
        single(lengths=[5, 5]),
        ValueError,
        r"lengths must have one length per sample \(1\), got 2",
    ),
    (
        "spectrogram length long",
        single(lengths=[21]),
        ValueError,
        r"lengths\[0\] must be at most the 20 frames given, got 21",
    ),
    (
        "spectrogram ids count",
        single(sample_ids=["a", "b"]),
        ValueError,
        r"sample_ids must have one string per sample \(1\), got 2",
    ),
    ("spectrogram hop zero", single(hop_length=0), ValueError, r"hop_length must be >= 1, got 0"),
    ("spectrogram max_outputs", single(max_outputs=0), ValueError, r"max_outputs must be >= 1, got 0"),
    ("spectrogram precision", single(precision="int8"), ValueError, r"precision must be one of .*got 'int8'"),
    ("spectrogram too large", single(max_elements=100), ValueError, r"mel has 1600 values, more than max_elements=100"),
    # Alignments.
    ("weights 1-D", align(weights=np.ones(5)), ValueError, r"weights must be 2-D or 3-D \[tokens, frames\].*\(5,\)"),
    ("weights 4-D", align(weights=np.ones((1, 1, 2, 2))), ValueError, r"weights must be 2-D or 3-D.*\(1, 1, 2, 2\)"),
    (
        "weights 4-D frames_tokens",
        align(weights=np.ones((1, 1, 2, 2)), layout="frames_tokens"),
        ValueError,
        r"weights must be 2-D or 3-D \[frames, tokens\]",
    ),
    (
        "weights negative",
        align(weights=ATTN - np.eye(5, 20)),
        ValueError,
        r"weights must be >= 0, got -0.8 at index \[0, 0\]",
    ),
    ("weights complex", align(weights=ATTN.astype(np.complex64)), TypeError, r"weights must be real-valued"),
    ("weights and durations", align(durations=[4] * 5), ValueError, r"pass either weights or durations .*got both"),
    ("neither", align(weights=None), ValueError, r"pass either weights or durations .*got neither"),
    ("layout", align(layout="tf"), ValueError, r"layout must be one of 'tokens_frames', 'frames_tokens'; got 'tf'"),
    (
        "tokens count",
        align(tokens=["a", "b"]),
        ValueError,
        r"tokens must have one string per token of the sample \(5\), got 2",
    ),
    ("tokens a string", align(tokens="abcde"), TypeError, r"tokens must be a list of strings, got str 'abcde'"),
    (
        "token not a string",
        align(tokens=["a", "b", 3, "d", "e"]),
        TypeError,
        r"tokens\[2\] must be a string, got int 3",
    ),
    (
        "tokens of a batch flat",
        align(weights=np.ones((2, 5, 20)), tokens=list("abcde")),
        ValueError,
        r"tokens must be a list of labels per sample of the batch \(2\), got one list",
    ),
    (
        "tokens of a sample short",
        align(weights=np.ones((2, 5, 20)), token_lengths=[5, 3], tokens=[list("abcde"), list("ab")]),
        ValueError,
        r"tokens\[1\] must have one string per token of the sample \(3\), got 2",
    ),
    (
        "token_lengths too long",
        align(token_lengths=[6]),
        ValueError,
        r"token_lengths\[0\] must be at most the 5 tokens given, got 6",
    ),
    ("frame_lengths zero", align(frame_lengths=[0]), ValueError, r"frame_lengths\[0\] must be >= 1, got 0"),
    ("durations negative", align(weights=None, durations=[3, -1, 2]), ValueError, r"durations must be >= 0, got -1"),
    (
        "durations fractional",
        align(weights=None, durations=[1.5, 2]),
        ValueError,
        r"durations must be whole numbers of frames, got 1.5",
    ),
    (
        "durations 3-D",
        align(weights=None, durations=np.ones((1, 2, 3))),
        ValueError,
        r"durations must be 1-D \[tokens\] or 2-D",
    ),
    (
        "durations strings",
        align(weights=None, durations=["1"]),
        TypeError,
        r"durations must hold integers, got dtype <U1",
    ),
    (
        "durations all zero",
        align(weights=None, durations=[0, 0]),
        ValueError,
        r"durations must give at least one frame per sample, got a sum of 0",
    ),
    (
        "durations against frame_lengths",
        align(weights=None, durations=[[2, 3], [1, 1]], frame_lengths=[5, 3]),
        ValueError,
        r"durations of sample 1 sum to 2 frames, but frame_lengths\[1\] is 3",
    ),
    (
        "durations too many frames",
        align(weights=None, durations=[60, 60], max_elements=100),
        ValueError,
        r"durations \(1, 2\) hold 240 values, more than max_elements=100",
    ),
    # A mel comparison's alignment.
    ("alignment 1-D", mel(alignment=np.ones(20)), ValueError, r"alignment must be 2-D or 3-D \[tokens, frames\]"),
    ("alignment negative", mel(alignment=-ATTN), ValueError, r"alignment must be >= 0, got -0.2 at index \[0, 0\]"),
    (
        "alignment frames",
        mel(alignment=np.ones((5, 19))),
        ValueError,
        r"alignment must have the target's frames: sample 0 has 19 frames in alignment and 20 in target",
    ),
    (
        "alignment frames after lengths",
        mel(
            target=np.zeros((2, 80, 20)),
            predicted=np.zeros((2, 80, 20)),
            lengths=[20, 12],
            alignment=np.ones((2, 5, 15)),
        ),
        ValueError,
        r"sample 0 has 15 frames in alignment and 20 in target \(after lengths\)",
    ),
    (
        "alignment batch",
        mel(alignment=np.ones((2, 5, 20))),
        ValueError,
        r"alignment must have one alignment per sample \(1\), got 2",
    ),
    (
        "alignment tokens count",
        mel(alignment=ATTN, tokens=["a"]),
        ValueError,
        r"tokens must have one string per token of the sample \(5\), got 1",
    ),
    (
        "tokens without alignment",
        mel(tokens=["a"]),
        ValueError,
        r"tokens label the rows of an alignment; pass alignment=",
    ),
    # Values beyond float32, which would be stored as Inf.
    (
        "target beyond float32",
        mel(target=MEL.astype(np.float64) + 1e39),
        ValueError,
        r"target has finite values up to 1e\+39 in magnitude, beyond float32's 3.40282e\+38.*scale them down",
    ),
    (
        "embeddings beyond float32",
        similarity(b=EMB.astype(np.float64) * -1e300),
        ValueError,
        r"b has finite values up to 1e\+300 in magnitude, beyond float32's",
    ),
    (
        "weights beyond float32 beside an Inf",
        align(weights=np.where(np.eye(5, 20) > 0, np.inf, 1e39)),
        ValueError,
        r"weights has finite values up to 1e\+39 in magnitude",
    ),
    # Bools of any kind as a step, as True itself.
    ("step numpy bool", noise(step=np.bool_(True)), TypeError, r"step must be an integer, got bool (np\.True_|True)"),
    (
        "step bool array",
        similarity(step=np.array(True)),
        TypeError,
        r"step must be an integer, got ndarray array\(True\)",
    ),
    # Strings that cannot be encoded as UTF-8 (a lone surrogate).
    (
        "tag surrogate",
        mel(tag="mel\ud800"),
        ValueError,
        r"tag cannot be encoded as UTF-8: it holds the lone surrogate '\\ud800' at index 3",
    ),
    (
        "marker tag surrogate",
        lowest(tag="\udcffloss"),
        ValueError,
        r"tag cannot be encoded as UTF-8: .*'\\udcff' at index 0",
    ),
    ("display_name surrogate", noise(display_name="n\udc80"), ValueError, r"display_name cannot be encoded as UTF-8"),
    ("description surrogate", similarity(description="\ud800"), ValueError, r"description cannot be encoded as UTF-8"),
    ("sample_ids surrogate", mel(sample_ids=["LJ\udcff"]), ValueError, r"sample_ids\[0\] cannot be encoded as UTF-8"),
    ("texts surrogate", single(texts="a\ud83d"), ValueError, r"texts\[0\] cannot be encoded as UTF-8: .*'\\ud83d'"),
    (
        "tokens surrogate",
        align(tokens=["a", "b", "\ud800", "d", "e"]),
        ValueError,
        r"tokens\[2\] cannot be encoded as UTF-8",
    ),
    (
        "mel tokens surrogate",
        mel(alignment=ATTN, tokens=["\udfff"] * 5),
        ValueError,
        r"tokens\[0\] cannot be encoded as UTF-8",
    ),
    (
        "labels_b surrogate",
        similarity(labels_b=["x", "y", "z", "\udcff"]),
        ValueError,
        r"labels_b\[3\] cannot be encoded as UTF-8",
    ),
    ("a_name surrogate", similarity(a_name="text\ud800"), ValueError, r"a_name cannot be encoded as UTF-8"),
    (
        "checkpoint_path surrogate",
        lowest(checkpoint_path="G_\udcff.pth"),
        ValueError,
        r"checkpoint_path cannot be encoded as UTF-8: .*'\\udcff' at index 2",
    ),
    (
        "checkpoint Path surrogate",
        lowest(checkpoint_path=pathlib.Path("G_\udcff.pth")),
        ValueError,
        r"checkpoint_path cannot be encoded as UTF-8",
    ),
    # Tags whose data TensorBoard's fast reader cannot serve.
    (
        "tag quote",
        mel(tag='mel"val'),
        ValueError,
        r"tag must not contain a double quote \('\"'\): TensorBoard's fast reader \(RustBoard, --load_fast=true\) "
        r"cannot serve the data of such a tag; got 'mel\"val'",
    ),
    (
        "tag backslash",
        noise(tag="noise\\t"),
        ValueError,
        r"tag must not contain a backslash \('\\\\'\): TensorBoard's fast reader",
    ),
    ("tag tab", similarity(tag="sim\tx"), ValueError, r"tag must not contain a tab \('\\t'\)"),
    ("tag newline", single(tag="spec\n"), ValueError, r"tag must not contain a newline \('\\n'\)"),
    ("tag NUL", align(tag="al\x00ign"), ValueError, r"tag must not contain a NUL \('\\x00'\)"),
    (
        "marker tag escape",
        lowest(tag="loss\x1b[0m"),
        ValueError,
        r"tag must not contain a control character \('\\x1b'\): TensorBoard's fast reader",
    ),
]

if torch is not None:
    CASES += [
        (
            "target torch meta",
            mel(target=torch.empty(80, 20, device="meta")),
            TypeError,
            r"target is a torch meta tensor \(no data\); pass a tensor with values",
        ),
        (
            "actual torch sparse",
            noise(actual=torch.zeros(80, 20).to_sparse()),
            TypeError,
            r"actual is a sparse torch tensor \(layout torch.sparse_coo\); pass actual.to_dense\(\)",
        ),
        (
            "durations torch sparse",
            align(weights=None, durations=torch.tensor([4, 4, 4, 4, 4]).to_sparse()),
            TypeError,
            r"durations is a sparse torch tensor",
        ),
        (
            "value torch meta",
            lowest(value=torch.tensor(0.5, device="meta")),
            TypeError,
            r"value is a torch meta tensor",
        ),
        ("step torch meta", single(step=torch.tensor(3, device="meta")), TypeError, r"step is a torch meta tensor"),
        (
            "target float64 tensor beyond float32",
            mel(target=torch.full((80, 20), -1e40, dtype=torch.float64)),
            ValueError,
            r"target has finite values up to 1e\+40 in magnitude, beyond float32's",
        ),
        (
            "step bool tensor",
            mel(step=torch.tensor(True)),
            TypeError,
            r"step must be an integer, got Tensor tensor\(True\)",
        ),
        ("epoch bool tensor", lowest(epoch=torch.tensor(False)), TypeError, r"epoch must be an integer, got Tensor"),
        (
            "timesteps bool tensor",
            noise(predicted=VIDEOS, actual=VIDEOS, timestep=torch.tensor([True, False])),
            TypeError,
            r"timestep must be an integer, got Tensor tensor\(\[ True, False\]\)",
        ),
        (
            "timesteps of a video fractional tensor",
            noise(predicted=VIDEOS, actual=VIDEOS, timestep=torch.tensor([3.0, 0.5])),
            TypeError,
            r"timestep\[1\] must be an integer, got float 0.5",
        ),
    ]
    if hasattr(torch, "float4_e2m1fn_x2"):  # packed: two values a byte, no conversion to float32
        CASES.append(
            (
                "predicted torch float4 packed",
                noise(predicted=torch.zeros(80, 20, dtype=torch.uint8).view(torch.float4_e2m1fn_x2)),
                TypeError,
                r"predicted is a torch tensor of dtype torch.float4_e2m1fn_x2, which does not convert to float32 "
                r"\(.*\); unpack it to a wider floating type first",
            )
        )


@pytest.mark.parametrize("call,error,pattern", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_raises_and_writes_nothing(tmp_path, call, error, pattern):
    logdir = tmp_path / "run"
    with spectro_summary.Writer(logdir) as writer:
        with pytest.raises(error, match=pattern):
            call(writer)
    (event_file,) = os.listdir(logdir)
    # Only the file_version event that opens every event file.
    from tensorboard.backend.event_processing import event_file_loader

    events = list(event_file_loader.EventFileLoader(str(logdir / event_file)).Load())
    assert [e.WhichOneof("what") for e in events] == ["file_version"]


NOISE = dict(predicted=MEL + 1, actual=MEL + 2)  # a pair whose SNR is defined


def _kinds(written):
    return sorted((w.tag, w.step, w.plugin_data.kind) for w in written)


def test_a_tag_keeps_its_kind_in_a_writer(writer_case):
    writer = writer_case.writer
    mel(tag="x")(writer)
    for call, kind in (
        (noise(tag="x", **NOISE), "noise_pair"),
        (similarity(tag="x"), "similarity_matrix"),
        (single(tag="x"), "spectrogram"),
        (align(tag="x"), "alignment"),
    ):
        message = (
            f"tag 'x' already holds mel_comparison steps in this writer; {kind} cannot write to it: use another tag"
        )
        with pytest.raises(ValueError, match=message):
            call(writer)
    mel(tag="x", step=2)(writer)  # the same kind goes on
    lowest(tag="loss")(writer)
    with pytest.raises(
        ValueError, match=r"tag 'loss/lowest_point' already holds lowest_point steps in this writer; noise_pair"
    ):
        noise(tag="loss/lowest_point", **NOISE)(writer)
    spectro_summary.lowest_point("x", 1.0, 1, writer=writer)  # under x/lowest_point, a tag of its own
    mel(tag="y/lowest_point")(writer)
    tracker = spectro_summary.LowestPointTracker("y", writer=writer)
    with pytest.raises(ValueError, match=r"tag 'y/lowest_point' already holds mel_comparison steps .*; lowest_point"):
        tracker.update(1, 0.5)
    assert _kinds(writer_case.read()) == [
        ("loss/lowest_point", 1, pb.LOWEST_POINT),
        ("x", 1, pb.MEL_COMPARISON),
        ("x", 2, pb.MEL_COMPARISON),
        ("x/lowest_point", 1, pb.LOWEST_POINT),
        ("y/lowest_point", 1, pb.MEL_COMPARISON),
    ]


def test_a_pb_twin_added_to_a_writer_keeps_the_tag_s_kind_too(tmp_path):
    with spectro_summary.Writer(tmp_path) as writer:
        writer.add_summary(spectro_summary.mel_comparison_pb("x", MEL, MEL, 1), 1)
        with pytest.raises(ValueError, match=r"tag 'x' already holds mel_comparison steps in this writer; noise_pair"):
            writer.add_summary(spectro_summary.noise_pair_pb("x", MEL + 1, MEL + 2, 2), 2)
        writer.add_scalar("x/loss", 1.0, 2)  # plain scalars are not Spectro's to judge
    assert _kinds(read_logdir(tmp_path)) == [("x", 1, pb.MEL_COMPARISON)]


def test_another_writer_may_hold_another_kind_under_the_same_tag(tmp_path):
    writers = [spectro_summary.Writer(tmp_path / "own"), spectro_summary.Writer(tmp_path / "own")]
    if torch is not None:
        from torch.utils.tensorboard import SummaryWriter

        writers.append(SummaryWriter(str(tmp_path / "torch")))
    try:
        import tensorboardX

        writers.append(tensorboardX.SummaryWriter(str(tmp_path / "tensorboardx")))
    except ImportError:
        pass
    calls = [mel(tag="x"), noise(tag="x", **NOISE), similarity(tag="x"), single(tag="x")]
    for writer, call in zip(writers, calls):
        call(writer)
        writer.close()
    kinds = [pb.MEL_COMPARISON, pb.NOISE_PAIR, pb.SIMILARITY_MATRIX, pb.SPECTROGRAM]
    assert _kinds(read_logdir(tmp_path / "own")) == [("x", 1, kinds[0]), ("x", 1, kinds[1])]
    for name, kind in zip(["torch", "tensorboardx"], kinds[2 : len(writers)]):
        assert _kinds(read_logdir(tmp_path / name)) == [("x", 1, kind)]


def test_a_failed_write_does_not_claim_the_tag(tmp_path):
    with spectro_summary.Writer(tmp_path) as writer:
        add = writer._file.add

        def fail(event):
            raise OSError("no space left on device")

        writer._file.add = fail
        with pytest.raises(OSError, match="no space left"):
            mel(tag="x")(writer)
        writer._file.add = add
        noise(tag="x", **NOISE)(writer)
    assert _kinds(read_logdir(tmp_path)) == [("x", 1, pb.NOISE_PAIR)]


def test_the_kinds_a_writer_holds_do_not_keep_it_alive(tmp_path):
    writer = spectro_summary.Writer(tmp_path)
    mel()(writer)
    writer.close()
    alive = weakref.ref(writer)
    del writer
    gc.collect()
    assert alive() is None


def test_a_writer_whose_directory_was_deleted_fails_at_the_call_naming_the_file(tmp_path):
    logdir = tmp_path / "run"
    writer = spectro_summary.Writer(logdir)
    mel()(writer)
    writer.flush()
    path = writer.path
    shutil.rmtree(logdir)
    for call in (mel(step=2), noise(**NOISE), lowest()):
        with pytest.raises(
            FileNotFoundError, match=r"the event file is gone \(was its directory deleted\?\)"
        ) as raised:
            call(writer)
        assert raised.value.filename == path  # a str, the file's own path
    with pytest.raises(FileNotFoundError, match="the event file is gone") as raised:
        writer.add_scalar("loss", 1.0, 2)
    assert raised.value.filename == path
    with pytest.raises(FileNotFoundError, match="the event file is gone"):
        writer.flush()
    writer.close()  # nothing was queued, so nothing was lost on the way
    assert not logdir.exists()  # no file begun again without its start


def test_a_writer_whose_file_was_deleted_writes_no_file_without_its_start(tmp_path):
    with spectro_summary.Writer(tmp_path) as writer:
        writer.flush()
        os.remove(writer.path)
        with pytest.raises(FileNotFoundError) as raised:
            noise(**NOISE)(writer)
        assert raised.value.filename == writer.path
    assert os.listdir(tmp_path) == []


class NotAWriter:
    pass


class LightningLikeLogger:
    experiment = None


@pytest.mark.parametrize(
    "writer,error,pattern",
    [
        (
            NotAWriter(),
            TypeError,
            r"writer must be a summary writer, got .*NotAWriter; pass writer=spectro_summary.Writer\(logdir\)",
        ),
        ("runs/x", TypeError, r"writer must be a summary writer, got builtins.str"),
        (LightningLikeLogger(), TypeError, r"for a Lightning logger, pass logger.experiment"),
        (None, ValueError, r"writer=None writes to TF2's default writer, but TensorFlow is not in use; pass writer="),
    ],
)
def test_unusable_writer(writer, error, pattern):
    import sys

    if writer is None and "tensorflow" in sys.modules:
        pytest.skip("TensorFlow is imported in this process")
    for call in (mel(), noise(), similarity(), lowest()):
        with pytest.raises(error, match=pattern):
            call(writer)
    with pytest.raises(error, match=pattern):
        spectro_summary.LowestPointTracker("loss", writer=writer)


def test_closed_writer(tmp_path):
    writer = spectro_summary.Writer(tmp_path)
    writer.close()
    with pytest.raises(ValueError, match="is closed"):
        mel()(writer)


def test_tracker_arguments(tmp_path):
    with spectro_summary.Writer(tmp_path) as writer:
        with pytest.raises(ValueError, match=r"smoothing must be in \[0, 1\).*got 1.5"):
            spectro_summary.LowestPointTracker("loss", writer=writer, smoothing=1.5)
        with pytest.raises(ValueError, match=r"min_delta must be >= 0, got -0.1"):
            spectro_summary.LowestPointTracker("loss", writer=writer, min_delta=-0.1)
        with pytest.raises(ValueError, match=r"tag must not contain a double quote"):
            spectro_summary.LowestPointTracker('loss"d', writer=writer)
        with pytest.raises(ValueError, match=r"tag cannot be encoded as UTF-8"):
            spectro_summary.LowestPointTracker("loss\ud800", writer=writer)
        tracker = spectro_summary.LowestPointTracker("loss", writer=writer)
        with pytest.raises(TypeError, match=r"step must be an integer, got bool (np\.True_|True)"):
            tracker.update(np.bool_(True), 1.0)
        with pytest.raises(ValueError, match=r"step must be >= 0, got -3"):
            tracker.update(-3, 1.0)
        assert tracker.best_step is None
