"""Single spectrograms: a mel with nothing to compare it to (a full target, an inference output).

A step holds up to `max_outputs` samples of a batch, each one [n_mels, frames]
after stripping padding, with its value range in its array's header.
"""

from typing import Any, Dict, List

from tb_plugin_spectro import _inputs, _writing, codec, kinds, stats, wire
from tb_plugin_spectro import plugin_data_pb2 as pb
from tb_plugin_spectro.kinds import _spectra

__all__ = ["Spectrogram", "KIND", "encode"]


# ---------------------------------------------------------------------------
# Writing


def encode(
    options: _writing.ArrayOptions,
    mel: _writing.ArrayLike,
    *,
    layout,
    lengths,
    max_outputs,
    sample_ids,
    texts,
    sample_rate,
    hop_length,
) -> _writing.EncodedStep:
    """Checks the arguments of `summary.spectrogram` beyond the common ones; computes the ranges; encodes."""
    layout = _inputs.check_choice(layout, "layout", _spectra.MEL_LAYOUTS)
    max_outputs = _inputs.check_count(max_outputs, "max_outputs", minimum=1)
    sample_rate, hop_length = _spectra.check_audio(sample_rate, hop_length)
    array = _spectra.as_batch(_spectra.mel_array(mel, "mel", layout, options.max_elements), layout)
    batch = array.shape[0]
    frame_counts = _spectra.frame_lengths(lengths, "lengths", batch, array.shape[2]) or [array.shape[2]] * batch
    facts = _spectra.sample_facts(sample_ids, texts, batch)

    header = pb.StepHeader()
    step_pb = header.spectrogram
    step_pb.batch_size = batch
    blobs: List[bytes] = []
    for index in range(min(batch, max_outputs)):
        values = array[index, :, : frame_counts[index]]
        sample = step_pb.samples.add(batch_index=index, sample_id=facts.id(index), text=facts.text(index))
        encoded, blob = codec.encode_array(values, options.precision, len(blobs) + 1, name="mel")
        sample.mel.CopyFrom(encoded)
        blobs.append(blob)
        counts = stats.count_nonfinite(values)
        step_pb.nonfinite.nan += counts.nan
        step_pb.nonfinite.pos_inf += counts.pos_inf
        step_pb.nonfinite.neg_inf += counts.neg_inf
    step_pb.range.CopyFrom(stats.pool_ranges([s.mel.range for s in step_pb.samples]))

    plugin_data = pb.SpectroPluginData(kind=pb.SPECTROGRAM)
    plugin_data.spectrogram.sample_rate = sample_rate
    plugin_data.spectrogram.hop_length = hop_length
    plugin_data.spectrogram.sample_blobs = 1
    return _writing.EncodedStep(plugin_data, header, blobs, step_pb.nonfinite, "mel")


# ---------------------------------------------------------------------------
# Reading


def _range(value_range: pb.ValueRange) -> Dict[str, Any]:
    """A value range as JSON; null figures when no value is finite."""
    if not value_range.count:
        return {"min": None, "max": None, "mean": None, "count": 0}
    return wire.message_dict(value_range)


class Spectrogram(kinds.Kind):
    """A step holds samples; /data sends one sample's mel."""

    enum = pb.SPECTROGRAM
    name = "spectrogram"
    body = "spectrogram"

    def max_samples(self, listing: Any, plugin_data: pb.SpectroPluginData) -> int:
        return _spectra.max_samples(listing.max_length, plugin_data.spectrogram.sample_blobs or 1)

    def series_facts(self, plugin_data: pb.SpectroPluginData) -> Dict[str, Any]:
        return _spectra.frame_axis_facts(plugin_data.spectrogram)

    def check_sample(self, header: pb.StepHeader, sample: int, step: int) -> None:
        _spectra.check_sample(len(header.spectrogram.samples), sample, step)

    def arrays(self, header: pb.StepHeader, sample: int) -> List[kinds.NamedArray]:
        return [kinds.NamedArray("mel", header.spectrogram.samples[sample].mel)]

    def step_summary(self, header: pb.StepHeader) -> Dict[str, Any]:
        step = header.spectrogram
        return {
            "range": _range(step.range),
            "nonfinite": wire.message_dict(step.nonfinite),
            "samples": [
                {
                    "sample_id": s.sample_id,
                    "text": s.text,
                    "frames": s.mel.shape[1] if len(s.mel.shape) > 1 else 0,
                    "range": _range(s.mel.range),
                }
                for s in step.samples
            ],
            "batch_size": step.batch_size,
        }


KIND = kinds.register(Spectrogram())
