"""Speech for the demo's runs: log-mels and audio synthesized from transcripts, and a TTS model's predictions.

The targets are log-mels as HiFi-GAN and VITS compute them (22050 Hz, hop
256, 1024-point STFT, 80 Slaney mel bins up to 8 kHz, log of the mel clamped
at 1e-5), synthesized from the transcripts with a source-filter model:
glottal harmonics under a pitch contour, moving formants, fricative noise,
stop closures and bursts, pauses. The same model, frame by frame, gives the
waveform: its harmonics added sample by sample and its noise overlap-added,
so the waveform's own log-mel (`log_mel`) is the target. A model's
predictions start over-smoothed and biased and sharpen towards the targets;
a simple vocoder (`griffin_lim`) makes audio of them.
"""

import functools
import re
from typing import List, NamedTuple, Optional, Sequence, Tuple

import numpy as np

SAMPLE_RATE = 22050  # Hz
HOP_LENGTH = 256  # samples between frames
N_FFT = 1024  # samples per STFT window
N_MELS = 80
F_MAX = 8000.0  # Hz, top of the mel filterbank (it starts at 0 Hz)
MEL_FLOOR = 1e-5  # mel values are clamped to this before the log
SILENCE = float(np.log(MEL_FLOOR))  # the log-mel of silence, about -11.51

REFERENCE = ("LJ001-0006", "And it is worth mention in passing that, as an example of fine typography,")
TRAINING_SET = [
    ("LJ001-0002", "in being comparatively modern."),
    ("LJ001-0004", "produced the block books, which were the immediate predecessors of the true printed book,"),
    ("LJ001-0008", "has never been surpassed."),
    ("LJ001-0011", "it is of the first importance that the letter used should be fine in form;"),
    ("LJ001-0013", "than in the same operations with ugly ones."),
]

# ---------------------------------------------------------------------------
# Mel filterbank

_SLANEY_HZ_PER_MEL = 200.0 / 3  # the Slaney scale is linear below 1 kHz
_SLANEY_LOG_STEP = np.log(6.4) / 27  # and logarithmic above: log-Hz per mel


def _hz_to_mel(hz: np.ndarray) -> np.ndarray:
    hz = np.asarray(hz, dtype=np.float64)
    above = 15.0 + np.log(np.maximum(hz, 1000.0) / 1000.0) / _SLANEY_LOG_STEP
    return np.where(hz >= 1000.0, above, hz / _SLANEY_HZ_PER_MEL)


def _mel_to_hz(mel: np.ndarray) -> np.ndarray:
    mel = np.asarray(mel, dtype=np.float64)
    return np.where(mel >= 15.0, 1000.0 * np.exp(_SLANEY_LOG_STEP * (mel - 15.0)), mel * _SLANEY_HZ_PER_MEL)


def mel_filterbank(
    sample_rate: int = SAMPLE_RATE, n_fft: int = N_FFT, n_mels: int = N_MELS, f_min: float = 0.0, f_max: float = F_MAX
) -> np.ndarray:
    """Slaney-style triangular mel filters [n_mels, n_fft // 2 + 1], each of unit area in Hz.

    The matrix of librosa's default `filters.mel` (Slaney scale and
    normalization), which HiFi-GAN and VITS use.
    """
    fft_hz = np.linspace(0.0, sample_rate / 2, n_fft // 2 + 1)
    mel_min, mel_max = _hz_to_mel(np.array([f_min, f_max]))
    edges_hz = _mel_to_hz(np.linspace(mel_min, mel_max, n_mels + 2))
    widths = np.diff(edges_hz)
    offsets = edges_hz[:, None] - fft_hz[None, :]
    rising = -offsets[:-2] / widths[:-1, None]
    falling = offsets[2:] / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(rising, falling))
    return weights * (2.0 / (edges_hz[2:] - edges_hz[:-2]))[:, None]


_FFT_HZ = np.fft.rfftfreq(N_FFT, 1.0 / SAMPLE_RATE)
_BIN_HZ = SAMPLE_RATE / N_FFT
_MEL_BASIS = mel_filterbank()

# ---------------------------------------------------------------------------
# From text to phones

_FUNCTION_WORDS = frozenset(
    "a an and are as at be been but by for from has have in is it its of on or so than that the their them "
    "then there these this those to was were which with".split()
)
_VOICED_TH = frozenset("than that the their them then there therefore these this those with".split())
_VOWEL_LETTERS = "aeiouy"
# Letter groups read as one phone or a fixed sequence, longest first.
_SPELLINGS: Tuple[Tuple[str, Tuple[str, ...]], ...] = (
    ("tion", ("SH", "AX", "N")),
    ("ture", ("TC", "SH", "ER")),
    ("th", ("TH",)),
    ("sh", ("SH",)),
    ("ch", ("TC", "SH")),
    ("ph", ("F",)),
    ("ng", ("NG",)),
    ("ck", ("K",)),
    ("wh", ("W",)),
    ("qu", ("K", "W")),
    ("ee", ("IY",)),
    ("ea", ("IY",)),
    ("ie", ("IY",)),
    ("oo", ("UH",)),
    ("ou", ("AW",)),
    ("ow", ("OW",)),
    ("ai", ("EY",)),
    ("ay", ("EY",)),
    ("ei", ("EY",)),
    ("oi", ("OY",)),
    ("oy", ("OY",)),
    ("au", ("AO",)),
    ("aw", ("AO",)),
    ("oa", ("OW",)),
    ("er", ("ER",)),
    ("ir", ("ER",)),
    ("ur", ("ER",)),
    ("ar", ("AA", "R")),
    ("or", ("AO", "R")),
    ("x", ("K", "S")),
)
_LETTERS = dict(
    a="AE",
    e="EH",
    i="IH",
    o="AA",
    u="AH",
    y="IY",
    b="B",
    c="K",
    d="D",
    f="F",
    g="G",
    h="HH",
    j="DC",
    k="K",
    l="L",
    m="M",
    n="N",
    p="P",
    q="K",
    r="R",
    s="S",
    t="T",
    v="V",
    w="W",
    z="Z",
)
_LONG = {"AE": "EY", "IH": "AY", "AA": "OW", "AH": "UW"}  # before a silent e
_REDUCED = {"AE": "AX", "EH": "IH", "AA": "AX", "AH": "AX", "UH": "AX", "AO": "AX"}  # unstressed


class _Vowel(NamedTuple):
    formants: Tuple[float, float, float]  # F1-F3 in Hz, a female speaker
    glide: Optional[Tuple[float, float, float]] = None  # where a diphthong ends


class _Consonant(NamedTuple):
    formants: Optional[Tuple[float, float, float]]  # the locus neighbours glide to; None: the next vowel's
    frames: float  # typical duration
    voicing: float  # glottal source amplitude, a stressed vowel's being 1
    noise: str = ""  # frication or burst spectrum, a key of _NOISE_SPECTRA, or "aspiration"
    noise_db: float = 0.0  # its level
    stop: str = ""  # "voiceless" or "voiced": a closure, then the burst; "closure": a closure alone
    nasal: bool = False


_VOWELS = {
    "IY": _Vowel((440, 2760, 3370)),
    "IH": _Vowel((480, 2370, 3050)),
    "EH": _Vowel((730, 2060, 2980)),
    "AE": _Vowel((670, 2350, 2970)),
    "AA": _Vowel((940, 1550, 2820)),
    "AO": _Vowel((780, 1140, 2820)),
    "UH": _Vowel((520, 1230, 2830)),
    "UW": _Vowel((460, 1100, 2740)),
    "AH": _Vowel((750, 1430, 2930)),
    "AX": _Vowel((600, 1650, 2850)),
    "ER": _Vowel((520, 1590, 1930)),
    "EY": _Vowel((540, 2530, 3050), (440, 2760, 3370)),
    "AY": _Vowel((940, 1550, 2820), (480, 2370, 3050)),
    "AW": _Vowel((900, 1500, 2820), (520, 1230, 2830)),
    "OW": _Vowel((560, 1040, 2830), (460, 1100, 2740)),
    "OY": _Vowel((780, 1140, 2820), (480, 2370, 3050)),
}
_LABIAL, _ALVEOLAR, _VELAR = (300, 1000, 2400), (300, 1750, 2900), (300, 2200, 2500)
# Noise levels are in the mel; a sibilant's power spreads over wide mel bins, so at -26 dB its
# waveform is about 20 dB under a stressed vowel's, as in speech.
_CONSONANTS = {
    "P": _Consonant(_LABIAL, 5, 0.0, "burst_p", -30, "voiceless"),
    "B": _Consonant(_LABIAL, 4, 0.0, "burst_p", -36, "voiced"),
    "T": _Consonant(_ALVEOLAR, 5, 0.0, "burst_t", -28, "voiceless"),
    "D": _Consonant(_ALVEOLAR, 4, 0.0, "burst_t", -34, "voiced"),
    "K": _Consonant(_VELAR, 5, 0.0, "burst_k", -28, "voiceless"),
    "G": _Consonant(_VELAR, 4, 0.0, "burst_k", -34, "voiced"),
    "TC": _Consonant(_ALVEOLAR, 4, 0.0, stop="closure"),
    "DC": _Consonant(_ALVEOLAR, 3, 0.0, "burst_t", -34, "voiced"),
    "F": _Consonant((350, 1100, 2400), 8, 0.0, "f", -34),
    "V": _Consonant((350, 1100, 2400), 5, 0.35, "f", -40),
    "TH": _Consonant((350, 1600, 2800), 7, 0.0, "f", -36),
    "DH": _Consonant((350, 1600, 2800), 4, 0.4, "f", -42),
    "S": _Consonant((350, 1750, 2900), 9, 0.0, "s", -26),
    "Z": _Consonant((350, 1750, 2900), 7, 0.3, "s", -31),
    "SH": _Consonant((350, 2000, 2600), 9, 0.0, "sh", -26),
    "ZH": _Consonant((350, 2000, 2600), 6, 0.3, "sh", -31),
    "HH": _Consonant(None, 5, 0.0, "aspiration", -31),
    "M": _Consonant((280, 1000, 2300), 6, 0.5, nasal=True),
    "N": _Consonant((280, 1650, 2650), 6, 0.5, nasal=True),
    "NG": _Consonant((280, 2100, 2700), 6, 0.5, nasal=True),
    "L": _Consonant((380, 1100, 2900), 5, 0.7),
    "R": _Consonant((450, 1200, 1700), 5, 0.7),
    "W": _Consonant((350, 800, 2400), 5, 0.6),
    "Y": _Consonant((300, 2600, 3200), 4, 0.65),
}
_STOP_ASPIRATION_DB = -35.0  # the noise after a voiceless stop's burst
_VOICE_BAR = 0.07  # glottal amplitude heard through a voiced stop's closed tract


def _word_phones(word: str) -> List[Tuple[str, bool]]:
    """A rough letter-to-phone reading of an English word: (phone, stressed) pairs."""
    long_vowel = (
        word.endswith("e")
        and word[-2:-1] not in ("", *_VOWEL_LETTERS)
        and any(letter in _VOWEL_LETTERS for letter in word[:-2])
    )
    if long_vowel:
        word = word[:-1]
    phones: List[str] = []
    i = 0
    while i < len(word):
        for spelling, group in _SPELLINGS:
            if word.startswith(spelling, i):
                phones.extend(group)
                i += len(spelling)
                break
        else:
            letter, following = word[i], word[i + 1 : i + 2]
            if letter not in _LETTERS or (i > 0 and letter == word[i - 1] and letter not in _VOWEL_LETTERS):
                i += 1
                continue
            phone = _LETTERS[letter]
            if letter == "c" and following in ("e", "i", "y"):
                phone = "S"
            elif letter == "g" and following in ("e", "i", "y"):
                phone = "DC"
            elif letter == "y" and i == 0:
                phone = "Y"
            elif letter == "s" and i == len(word) - 1 and i > 0 and word[i - 1] not in "ptkf":
                phone = "Z"
            phones.extend(("DC", "ZH") if phone == "DC" else (phone,))
            i += 1
    if long_vowel:
        last = max(index for index, phone in enumerate(phones) if phone in _VOWELS)
        phones[last] = _LONG.get(phones[last], phones[last])
    if word in _VOICED_TH:
        phones = ["DH" if phone == "TH" else phone for phone in phones]
    content = word not in _FUNCTION_WORDS
    result, stressed_yet = [], False
    for phone in phones:
        stressed = phone in _VOWELS and content and not stressed_yet
        stressed_yet = stressed_yet or stressed
        if phone in _VOWELS and not stressed and not _VOWELS[phone].glide:
            phone = _REDUCED.get(phone, phone)
        result.append((phone, stressed))
    return result


# ---------------------------------------------------------------------------
# Articulation: what the speaker does, frame by frame


class _Tracks:
    """Per-frame articulation of an utterance, appended segment by segment."""

    def __init__(self) -> None:
        self.formants: List[np.ndarray] = []  # [frames, 3] each
        self.voicing: List[np.ndarray] = []
        self.noise: List[Tuple[str, float, int]] = []  # (spectrum, amplitude, frames)
        self.damped: List[np.ndarray] = []  # 1 where the upper formants are damped
        self.accents: List[float] = []  # frames of the pitch accents' peaks
        self.phrases: List[Tuple[int, int, str]] = []  # (first frame, end frame, closing punctuation)
        self.tokens: List[Tuple[str, int]] = []  # (phone or punctuation, first frame): what a TTS model reads
        self.frames = 0

    def add(
        self,
        frames: float,
        formants: Sequence[float],
        glide: Optional[Sequence[float]] = None,
        voicing: float = 0.0,
        noise: str = "",
        noise_db: float = 0.0,
        damped: bool = False,
    ) -> None:
        count = max(1, int(round(frames)))
        self.formants.append(np.linspace(formants, formants if glide is None else glide, count))
        self.voicing.append(np.full(count, voicing))
        self.noise.append((noise, 10 ** (noise_db / 20) if noise else 0.0, count))
        self.damped.append(np.full(count, float(damped)))
        self.frames += count

    def pause(self, frames: int) -> None:
        self.add(frames, (500, 1500, 2500))


def _articulate(text: str, rng: np.random.Generator) -> _Tracks:
    """Lays out the phones of `text` in time: durations, pauses, accents and phrases."""
    tracks = _Tracks()
    tracks.tokens.append(("_", 0))
    tracks.pause(int(rng.integers(12, 20)))
    rate = rng.uniform(0.85, 0.95)
    phrases = re.findall(r"[^,.;:!?]+[,.;:!?]?", text)
    for phrase_index, phrase in enumerate(phrases):
        words = re.findall(r"[a-z']+", phrase.lower())
        start = tracks.frames
        for word_index, word in enumerate(words):
            if word_index and rng.random() < 0.15:
                tracks.pause(int(rng.integers(3, 7)))
            phones = _word_phones(word)
            final = 1.35 if word_index == len(words) - 1 else 1.0  # phrase-final lengthening
            for index, (phone, stressed) in enumerate(phones):
                tracks.tokens.append((phone, tracks.frames))
                stretch = rate * final * float(np.exp(0.12 * rng.standard_normal()))
                if phone in _VOWELS:
                    vowel = _VOWELS[phone]
                    frames = (11.0 if stressed else 4.5 if phone in ("AX", "IH") else 6.0) + (3 if vowel.glide else 0)
                    if stressed:
                        tracks.accents.append(tracks.frames + frames * stretch)  # the peak comes late
                    tracks.add(frames * stretch, vowel.formants, vowel.glide, voicing=1.0 if stressed else 0.75)
                    continue
                consonant = _CONSONANTS[phone]
                locus = consonant.formants
                if locus is None:
                    following = next((p for p, _ in phones[index + 1 :] if p in _VOWELS), "AX")
                    locus = _VOWELS[following].formants
                if not consonant.stop:
                    tracks.add(
                        consonant.frames * stretch,
                        locus,
                        voicing=consonant.voicing,
                        noise=consonant.noise,
                        noise_db=consonant.noise_db,
                        damped=consonant.nasal,
                    )
                    continue
                bar = _VOICE_BAR if consonant.stop == "voiced" else 0.0
                tracks.add(consonant.frames * stretch, (200, locus[1], locus[2]), voicing=bar, damped=True)
                if consonant.stop != "closure":
                    tracks.add(1, locus, noise=consonant.noise, noise_db=consonant.noise_db)
                if consonant.stop == "voiceless":
                    tracks.add(2 * stretch, locus, noise="aspiration", noise_db=_STOP_ASPIRATION_DB)
        ending = phrase.strip()[-1]
        tracks.phrases.append((start, tracks.frames, ending))
        tracks.tokens.append((ending if ending in ",.;:!?" else "_", tracks.frames))
        if phrase_index < len(phrases) - 1:
            tracks.pause(int(rng.integers(16, 26)) if ending in ",;:" else int(rng.integers(26, 36)))
    tracks.pause(int(rng.integers(16, 26)))
    return tracks


def blur(values: np.ndarray, sigma: float, axis: int) -> np.ndarray:
    """Gaussian blur of `sigma` samples along `axis` through the FFT, edges held."""
    values = np.moveaxis(values, axis, -1)
    count = values.shape[-1]
    pad = int(np.ceil(3 * sigma)) + 1
    size = 1 << int(np.ceil(np.log2(count + 2 * pad)))  # a power of two: the FFT's fast case
    first, last = values[..., :1], values[..., -1:]
    padded = np.concatenate([np.repeat(first, pad, -1), values, np.repeat(last, size - count - pad, -1)], axis=-1)
    gain = np.exp(-2.0 * (np.pi * sigma * np.fft.rfftfreq(size)) ** 2)
    blurred = np.fft.irfft(np.fft.rfft(padded, axis=-1) * gain, n=size, axis=-1)[..., pad : pad + count]
    return np.moveaxis(blurred, -1, axis).astype(values.dtype)


def _pitch(tracks: _Tracks, rng: np.random.Generator) -> np.ndarray:
    """f0 in Hz per frame: per phrase a declining line, late-peaking accents, a final fall or continuation rise."""
    frames = np.arange(tracks.frames, dtype=np.float64)
    log_f0 = np.full(tracks.frames, np.log(rng.uniform(185, 205)))
    for start, end, ending in tracks.phrases:
        position = (frames[start:end] - start) / max(1, end - start - 1)
        log_f0[start:end] += 0.15 - 0.3 * position
        tail = np.clip((frames[start:end] - (end - 18)) / 18, 0, 1)
        log_f0[start:end] += (0.12 if ending in ",;:" else -0.18) * tail
    for centre in tracks.accents:
        log_f0 += rng.uniform(0.1, 0.25) * np.exp(-0.5 * ((frames - centre) / 7.0) ** 2)
    log_f0 += blur(0.02 * rng.standard_normal(tracks.frames), 3.0, axis=0)
    return np.clip(np.exp(log_f0), 100.0, 260.0)


# ---------------------------------------------------------------------------
# Acoustics: source, filter and the STFT's view of them, over the FFT bins


def _band(centre: float, width: float) -> np.ndarray:
    return 1.0 / (1.0 + ((_FFT_HZ - centre) / width) ** 2)


def _octave_band(centre: float, below: float, above: float) -> np.ndarray:
    octaves = np.log2(np.maximum(_FFT_HZ, 1.0) / centre)
    return np.exp(-0.5 * (octaves / np.where(octaves < 0, below, above)) ** 2)


def _highpass(corner: float, order: int) -> np.ndarray:
    ratio = (_FFT_HZ / corner) ** order
    return ratio / (1.0 + ratio)


# Power spectra of the noise sources, peak about 1.
_NOISE_SPECTRA = {
    "s": _octave_band(6200, 0.28, 0.8),  # alveolar sibilant: the 4-8 kHz band, steep below
    "sh": _octave_band(3300, 0.25, 0.9),  # postalveolar: from 2.5 kHz
    "f": _highpass(1200, 2) * (0.4 + _FFT_HZ / 8000),  # labiodental and dental: weak and flat
    "burst_p": _band(800, 1500) ** 2,  # labial release: low
    "burst_t": _highpass(3000, 4) * _band(5000, 3000),  # alveolar release: high
    "burst_k": _band(2200, 600) + 0.1 * _highpass(3000, 2),  # velar release: compact, mid
}
# Poles above F4 keep a vowel's spectrum from vanishing above 5 kHz: about -40 dB there.
_HIGHER_POLES = 1e-4 * _NOISE_SPECTRA["burst_t"]
# Lip radiation rises 6 dB/octave: little is left below 100 Hz.
_RADIATION_HIGHPASS = _highpass(100, 2)
_FORMANT_BANDWIDTHS = np.array([80.0, 110.0, 160.0, 200.0])  # Hz, F1-F4
_DAMPED_BANDWIDTHS = np.array([1.3, 5.0, 5.0, 4.0])  # their factors in nasal murmurs and closures
_ROOM_NOISE = 4e-7 * (0.05 + 1.0 / (1.0 + (_FFT_HZ / 300.0) ** 2))  # mostly rumble; power after leveling


def _resonance_power(formants: np.ndarray, bandwidths: np.ndarray) -> np.ndarray:
    """|H(f)|^2 of cascaded two-pole resonators [frames, bins], unit gain at 0 Hz."""
    hz = _FFT_HZ[None, :]
    power = np.ones((formants.shape[0], hz.shape[1]))
    for formant, bandwidth in zip(formants.T, bandwidths.T):
        f, half = formant[:, None], bandwidth[:, None] / 2
        power *= (f**2 + half**2) ** 2 / (((hz - f) ** 2 + half**2) * ((hz + f) ** 2 + half**2))
    return power


def _harmonic_comb(f0: np.ndarray) -> np.ndarray:
    """Power of the harmonics k * f0 as the STFT's Hann window sees them [frames, bins].

    Each harmonic is the window's main lobe (a Gaussian of 0.6 bins fitted to
    Hann's), widened by how far the harmonic glides within the four-hop window
    and by jitter (2 % of its frequency): high harmonics blur into each other.
    """
    lobe = 0.6  # bins
    glide = np.abs(np.gradient(f0)) * 2.0 / _BIN_HZ  # bins per harmonic number, over the window
    spread = glide[:, None] + 0.02 * f0[:, None] / _BIN_HZ
    nearest = np.rint(_FFT_HZ[None, :] / f0[:, None])
    comb = np.zeros_like(nearest)
    for offset in (-1.0, 0.0, 1.0):
        k = nearest + offset
        width = np.sqrt(lobe**2 + (k * spread) ** 2)
        detune = (_FFT_HZ[None, :] - k * f0[:, None]) / _BIN_HZ
        comb += np.where(k >= 1, np.exp(-0.5 * (detune / width) ** 2) * lobe / width, 0.0)
    return comb


class SourceFilter(NamedTuple):
    """An utterance's source-filter model frame by frame: what both its mel and its waveform are made from.

    Powers are over the STFT's bins [frames, N_FFT // 2 + 1], in the units of
    the squared magnitude of a 1024-point Hann STFT of the waveform.
    """

    f0: np.ndarray  # [frames]: Hz
    voice: np.ndarray  # [frames, bins]: the power a steady harmonic at each bin's frequency has (source x tract)
    noise: np.ndarray  # [frames, bins]: the noise's power (one draw of it), the room's floor included
    mel: np.ndarray  # [N_MELS, frames], float32: the log-mel


def source_filter(text: str, rng: np.random.Generator) -> SourceFilter:
    """The source-filter model of `text` spoken, and its log-mel.

    Per frame: glottal harmonics under a spectral tilt and breath noise,
    shaped by four formants, plus frication, burst and aspiration noise and
    a faint room floor; power over the STFT bins, then the mel filterbank
    on the magnitude and log(max(mel, 1e-5)).
    """
    tracks = _articulate(text, rng)
    frames = tracks.frames
    f0 = _pitch(tracks, rng)
    formants = blur(np.concatenate(tracks.formants), 2.0, axis=0)  # coarticulation: tracks glide
    formants = np.concatenate([formants, np.full((frames, 1), rng.uniform(4000, 4400))], axis=1)
    damped = blur(np.concatenate(tracks.damped), 1.0, axis=0)[:, None]
    bandwidths = _FORMANT_BANDWIDTHS * (1.0 + damped * (_DAMPED_BANDWIDTHS - 1.0))
    tract = _resonance_power(formants, bandwidths) + _HIGHER_POLES

    voicing = np.concatenate(tracks.voicing)
    for start, end, _ in tracks.phrases:
        voicing[start:end] *= np.linspace(1.0, 0.55, end - start)  # energy declines over a phrase
    voicing = blur(voicing, 1.3, axis=0)
    # Glottal flow falls 12 dB/octave, lip radiation rises 6: net -6, steeper as the voice softens.
    tilt_db = 6.0 + 4.0 * (1.0 - np.clip(voicing, 0.0, 1.0))
    source = 10 ** (-tilt_db[:, None] / 10 * np.log2(1.0 + _FFT_HZ / 250.0)) * _RADIATION_HIGHPASS
    shimmer = np.exp(0.15 * rng.standard_normal(frames))[:, None]
    voice = (voicing**2)[:, None] * shimmer * source * tract
    voiced = voice * _harmonic_comb(f0)
    noise = 10 ** (-2.5) * (voicing**2)[:, None] * source * tract  # breath: turbulence at the glottis

    amplitudes = {name: np.zeros(frames) for name in (*_NOISE_SPECTRA, "aspiration")}
    first = 0
    for name, amplitude, count in tracks.noise:
        if name:
            amplitudes[name][first : first + count] = amplitude
        first += count
    noise += blur(amplitudes.pop("aspiration"), 1.0, axis=0)[:, None] ** 2 * tract
    for name, amplitude_track in amplitudes.items():
        onset = 0.4 if name.startswith("burst") else 1.2  # frames: a burst is abrupt, frication ramps
        noise += blur(amplitude_track, onset, axis=0)[:, None] ** 2 * _NOISE_SPECTRA[name]
    noise *= rng.standard_exponential(noise.shape)  # the power of noise in one bin is exponential
    power = voiced + noise
    # Level the utterance: its loudest mel value becomes about 1.2, its waveform's peak 0.8 to 1.
    gain = (np.exp(rng.uniform(1.0, 1.4)) / np.max(np.sqrt(power) @ _MEL_BASIS.T)) ** 2
    power *= gain
    room = _ROOM_NOISE * rng.standard_exponential(power.shape)
    power += room
    # The 1024-sample window spans four hops: each frame also sees its neighbours.
    smeared = power.copy()
    smeared[1:] += 0.25 * power[:-1]
    smeared[:-1] += 0.25 * power[1:]
    # HiFi-GAN and VITS take the mel of the STFT magnitude.
    mel = np.log(np.maximum(np.sqrt(smeared / 1.5) @ _MEL_BASIS.T, MEL_FLOOR))
    return SourceFilter(f0, voice * gain, noise * gain + room, mel.T.astype(np.float32))


def speech_mel(text: str, rng: np.random.Generator) -> np.ndarray:
    """A log-mel [N_MELS, frames] of `text` spoken, from its source-filter model (`source_filter`)."""
    return source_filter(text, rng).mel


# ---------------------------------------------------------------------------
# Waveforms: the STFT and log-mel of a sound, the model's sound, and a vocoder

_WINDOW = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)  # periodic Hann, as torch.hann_window
_PAD = (N_FFT - HOP_LENGTH) // 2  # samples reflected at each end, as HiFi-GAN pads: frames = samples / hop
_WINDOWS_PER_SAMPLE = N_FFT // HOP_LENGTH  # windows that overlap at each sample
_SINE_GAIN = 2.0 / _WINDOW.sum()  # amplitude of a sine per unit of its STFT magnitude
# Random-phase frames overlap-added add up incoherently: a frame of the STFT sees HOP / N_FFT of their power.
_NOISE_GAIN = np.sqrt(N_FFT / HOP_LENGTH)
_BAND_TOP = F_MAX + 300.0  # Hz: the waveform's content fades out between the mel's top and this
_BAND_EDGE = np.clip((_BAND_TOP - _FFT_HZ) / (_BAND_TOP - F_MAX), 0.0, 1.0)
_PEAK_LIMIT = 0.99  # a waveform louder than this at its mel's level is lowered to it
_JITTER = 0.03  # relative std of f0's fast wander, which spreads high harmonics as _harmonic_comb's jitter does
_JITTER_HZ = 150.0  # the wander's bandwidth

# A mel value over its filter's sum is the magnitude of a flat spectrum under the filter; the vocoder
# interpolates those between the filters' centres (a gather, where a pseudo-inverse's product would
# start BLAS threads at every step).
_MEL_FLAT = (1.0 / _MEL_BASIS.sum(axis=1)).astype(np.float32)
_MEL_BINS_BELOW_TOP = int(np.searchsorted(_FFT_HZ, F_MAX))  # FFT bins that the filterbank covers
_MEL_POSITION = np.interp(
    _FFT_HZ[:_MEL_BINS_BELOW_TOP], (_MEL_BASIS @ _FFT_HZ) / _MEL_BASIS.sum(axis=1), np.arange(N_MELS)
)
_MEL_BELOW = np.minimum(_MEL_POSITION.astype(np.int64), N_MELS - 2)  # the mel bin at or below each FFT bin
_MEL_ABOVE_WEIGHT = (_MEL_POSITION - _MEL_BELOW).astype(np.float32)
_GRIFFIN_LIM_MOMENTUM = 0.99  # as librosa's: the fast Griffin-Lim of Perraudin et al.


def stft(waveform: np.ndarray) -> np.ndarray:
    """The STFT [frames, N_FFT // 2 + 1] of a waveform as HiFi-GAN and VITS take it, frames = samples // hop.

    A 1024-point periodic Hann window every 256 samples over the waveform
    reflected by (N_FFT - HOP_LENGTH) / 2 samples at each end, so frame i is
    centred on sample (i + 0.5) * HOP_LENGTH.
    """
    padded = np.pad(np.asarray(waveform, dtype=np.float64), _PAD, mode="reflect")
    windows = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP_LENGTH]
    return np.fft.rfft(windows * _WINDOW, axis=1)


def log_mel(waveform: np.ndarray) -> np.ndarray:
    """The log-mel [N_MELS, frames] of a waveform at SAMPLE_RATE as HiFi-GAN and VITS compute it.

    The mel filterbank over the magnitude of `stft(waveform)`, then
    log(max(mel, 1e-5)): the demo's targets are log-mels of this kind.
    """
    mel = np.abs(stft(waveform)) @ _MEL_BASIS.T
    return np.log(np.maximum(mel, MEL_FLOOR)).T.astype(np.float32)


def _overlap_add(frames: np.ndarray) -> np.ndarray:
    """Frames [count, N_FFT] added HOP_LENGTH apart: [(count + 3) * HOP_LENGTH] samples."""
    count = frames.shape[0]
    total = np.zeros((count + _WINDOWS_PER_SAMPLE - 1) * HOP_LENGTH, dtype=frames.dtype)
    for quarter in range(_WINDOWS_PER_SAMPLE):
        part = frames[:, quarter * HOP_LENGTH : (quarter + 1) * HOP_LENGTH]
        total[quarter * HOP_LENGTH : (quarter + count) * HOP_LENGTH] += part.reshape(-1)
    return total


@functools.lru_cache(maxsize=4)
def _window_weight(frames: int) -> np.ndarray:
    """The squared windows of `frames` frames overlap-added: what `_istft` divides by."""
    weight = np.maximum(_overlap_add(np.tile(_WINDOW**2, (frames, 1))), 1e-3).astype(np.float32)
    weight.flags.writeable = False
    return weight


def _istft(spectrum: np.ndarray) -> np.ndarray:
    """The waveform [frames * HOP_LENGTH] whose `stft` is nearest `spectrum` [frames, bins] (least squares)."""
    frames = spectrum.shape[0]
    windowed = np.fft.irfft(spectrum, n=N_FFT, axis=1)
    windowed *= _WINDOW.astype(windowed.dtype)
    return (_overlap_add(windowed) / _window_weight(frames))[_PAD : _PAD + frames * HOP_LENGTH]


def _harmonics(model: SourceFilter, rng: np.random.Generator) -> np.ndarray:
    """The voiced part of `model`'s waveform: the harmonics k * f0 up to the mel's top, added sample by sample.

    The f0 track is interpolated between frame centres and wanders fast by
    _JITTER; each harmonic's amplitude is the frame's source-filter power at
    k * f0, interpolated likewise. The harmonics start in phase, as a glottal
    pulse's do.
    """
    frames = len(model.f0)
    samples = np.arange(frames * HOP_LENGTH)
    position = np.clip((samples + 0.5) / HOP_LENGTH - 0.5, 0.0, frames - 1.0)  # in frames, from the centres
    below = np.minimum(position.astype(np.int64), frames - 2)
    above_weight = position - below
    wander = blur(rng.standard_normal(len(samples)), SAMPLE_RATE / (2 * np.pi * _JITTER_HZ), axis=0)
    f0 = np.interp(position, np.arange(frames), model.f0) * (1.0 + _JITTER * wander / wander.std())
    phase = 2 * np.pi * np.cumsum(f0) / SAMPLE_RATE
    waveform = np.zeros(len(samples))
    rows = np.arange(frames)
    for k in range(1, int(_BAND_TOP / model.f0.min()) + 1):
        at = np.minimum(k * model.f0 / _BIN_HZ, N_FFT // 2 - 1.0)
        low = at.astype(np.int64)
        power = model.voice[rows, low] + (at - low) * (model.voice[rows, low + 1] - model.voice[rows, low])
        amplitude = _SINE_GAIN * np.sqrt(power) * np.interp(k * model.f0, _FFT_HZ, _BAND_EDGE)
        if amplitude.any():
            envelope = amplitude[below] + above_weight * (amplitude[below + 1] - amplitude[below])
            waveform += envelope * np.sin(k * phase)
    return waveform


def speech_waveform(model: SourceFilter, rng: np.random.Generator) -> np.ndarray:
    """The waveform [frames * HOP_LENGTH] of `model` at SAMPLE_RATE, float32, whose log-mel is `model.mel`.

    The harmonics added sample by sample (`_harmonics`), plus the noise:
    each frame's noise power as the magnitude of random-phase frames,
    overlap-added with the Hann window. Both fade out just above F_MAX,
    and one gain brings the waveform's own log-mel (`log_mel`) to the
    target's level, where its peak is 0.8 to 1 (one louder than
    _PEAK_LIMIT is lowered to it, no longer at the mel's level).
    """
    noise = _NOISE_GAIN * np.sqrt(model.noise) * _BAND_EDGE
    waveform = _harmonics(model, rng) + _istft(noise * np.exp(2j * np.pi * rng.random(noise.shape)))
    audible = model.mel > SILENCE + 3.0
    if audible.any():
        waveform *= np.exp(np.median((model.mel - log_mel(waveform))[audible]))
    peak = np.max(np.abs(waveform), initial=0.0)
    if peak > _PEAK_LIMIT:
        waveform *= _PEAK_LIMIT / peak
    return waveform.astype(np.float32)


def griffin_lim(
    mel: np.ndarray, iterations: int, phase: Optional[np.ndarray] = None, rng: Optional[np.random.Generator] = None
) -> np.ndarray:
    """A waveform [frames * HOP_LENGTH], float32, whose log-mel is near `mel` [N_MELS, frames]: a simple vocoder.

    The STFT magnitude is each mel bin's flat-spectrum magnitude
    (`_MEL_FLAT`) interpolated between the filters' centres, nothing above
    F_MAX. The phase starts at `phase` [frames, bins], complex of modulus 1
    (e.g. a reference waveform's: `spectrum / abs(spectrum)` of its
    `stft`), or if it is None at random from `rng`; `iterations` of
    Griffin-Lim (with momentum, as librosa's) then make magnitude and phase
    consistent. Single precision: the demo vocodes every logged step.
    """
    flat = np.exp(mel.T.astype(np.float32)) * _MEL_FLAT
    magnitude = np.zeros((flat.shape[0], N_FFT // 2 + 1), dtype=np.float32)
    below, above = flat[:, _MEL_BELOW], flat[:, _MEL_BELOW + 1]
    magnitude[:, :_MEL_BINS_BELOW_TOP] = below + _MEL_ABOVE_WEIGHT * (above - below)
    if phase is not None:
        angles = np.asarray(phase, dtype=np.complex64)
    elif rng is not None:
        angles = np.exp(2j * np.pi * rng.random(magnitude.shape)).astype(np.complex64)
    else:
        raise ValueError("griffin_lim needs a phase to start from: pass phase= or rng=")
    rebuilt = np.zeros_like(angles) if iterations else angles
    for _ in range(iterations):
        previous = rebuilt
        rebuilt = stft(_istft(magnitude * angles)).astype(np.complex64)
        angles = rebuilt - _GRIFFIN_LIM_MOMENTUM / (1 + _GRIFFIN_LIM_MOMENTUM) * previous
        angles /= np.maximum(np.abs(angles), 1e-30)
    return _istft(magnitude * angles).astype(np.float32)


# ---------------------------------------------------------------------------
# Utterances, and a model's predictions of them


_SMOOTHING_LEVELS = 9  # over-smoothed versions of a target kept, from a trained model's to an untrained one's


class Utterance(NamedTuple):
    """A transcript, its target mel and audio, and what a model's predictions of it are made from."""

    sample_id: str
    text: str
    target: np.ndarray  # [N_MELS, frames]
    smoothed: np.ndarray  # [_SMOOTHING_LEVELS, N_MELS, frames]: the target ever more blurred
    average: np.ndarray  # [N_MELS, 1]: its long-term spectrum, smoothed
    errors: np.ndarray  # [2, N_MELS, 2 * frames]: a fine and a coarse error field, unit variance
    audio: Optional[np.ndarray] = None  # [frames * HOP_LENGTH] float32: the target's waveform, if synthesized


def _over_smoothed(target: np.ndarray, level: float) -> np.ndarray:
    """`target` blurred as a model regressing to the mean would, `level` from 0 (a little) to 1 (much)."""
    low = blur(target, 0.35 + 2.5 * level, axis=0)
    high = blur(target, 0.85 + 6.5 * level, axis=0)  # the high bins, where detail is learned last
    mel = low + np.linspace(0.0, 1.0, N_MELS, dtype=target.dtype)[:, None] * (high - low)
    return blur(mel, 0.4 + 6.0 * level, axis=1)


def utterance(sample_id: str, text: str, rng: np.random.Generator, audio: bool = False) -> Utterance:
    """Synthesizes the target of `text`, its waveform if `audio`, and what predictions of it are made from.

    The waveform draws from a stream spawned from `rng`, so the target and
    the rest are the same with or without it.
    """
    model = source_filter(text, rng)
    target = model.mel
    smoothed = np.stack([_over_smoothed(target, level) for level in np.linspace(0.0, 1.0, _SMOOTHING_LEVELS)])
    average = blur(target.mean(axis=1, keepdims=True), 3.0, axis=0)
    errors = []
    for bins_sigma, frames_sigma in ((1.5, 2.0), (3.0, 5.0)):
        noise = rng.standard_normal((N_MELS, 2 * target.shape[1]))
        field = blur(blur(noise, bins_sigma, axis=0), frames_sigma, axis=1)
        errors.append(field / field.std())
    waveform = speech_waveform(model, rng.spawn(1)[0]) if audio else None
    return Utterance(sample_id, text, target, smoothed, average, np.stack(errors).astype(np.float32), waveform)


@functools.lru_cache(maxsize=1)
def training_utterances() -> List[Utterance]:
    """The training utterances; fixed, so synthesized once for both runs that use them."""
    return [utterance(*item, np.random.default_rng(100 + index)) for index, item in enumerate(TRAINING_SET)]


def convergence(step: int, steps: int, pace: float) -> float:
    """How far a model has come at `step` of `steps`, 0 to about 1: fast at first, then slowly."""
    return 1.0 - float(np.exp(-step / max(1.0, pace * steps)))


def predicted_mel(sample: Utterance, progress: float, rng: np.random.Generator) -> np.ndarray:
    """What a TTS model predicts for `sample` at `progress` in [0, 1].

    Early it regresses to the mean: blurred in time and frequency (the
    harmonics washed out, the high bins most), a compressed dynamic range
    (pauses too loud, peaks too quiet) and too little energy overall.
    Later it sharpens, keeping a little smoothing and error.
    """
    left = 1.0 - progress
    frames = sample.target.shape[1]
    # Between two stored blur levels, a mix of them.
    level = left**1.5 * (_SMOOTHING_LEVELS - 1)
    below = min(int(level), _SMOOTHING_LEVELS - 2)
    mel = sample.smoothed[below] + (level - below) * (sample.smoothed[below + 1] - sample.smoothed[below])
    contrast = 0.1 + 0.9 * progress**0.8  # the long-term spectrum is learned first
    mel = sample.average + contrast * (mel - sample.average) - 1.2 * left**2
    # Each step's error is another stretch of the utterance's error fields.
    start = int(rng.integers(0, frames + 1))
    fine, coarse = float(rng.choice((-1.0, 1.0))) * sample.errors[:, :, start : start + frames]
    mel += 0.15 * fine + 0.4 * left * coarse
    return np.maximum(mel, SILENCE).astype(np.float32)
