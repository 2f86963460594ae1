"""The demo's `contrastive` run: a CLAP-like model's caption-to-clip similarity on an evaluation batch."""

import os
from typing import NamedTuple, Tuple

import numpy as np

from tb_plugin_spectro import summary as spectro_summary


class Clip(NamedTuple):
    """A speech clip of the contrastive run's evaluation batch, and its caption."""

    clip_id: str  # the audio file
    speaker: str  # a key of _SPEAKER_WORDS
    style: str
    caption: str


# The words captions use for each speaker; captions sharing these and the style are hard negatives.
_SPEAKER_WORDS = {
    "0003": ("young", "woman"),
    "0007": ("middle-aged", "man"),
    "0012": ("elderly", "man"),
    "0018": ("elderly", "woman"),
    "0021": ("young", "man"),
    "0025": ("child", "girl"),
    "0030": ("adult", "woman"),
}
CLIPS = [
    Clip("0003_000412.wav", "0003", "cheerful", "A young woman speaks cheerfully at a quick pace."),
    Clip(
        "0003_000437.wav",
        "0003",
        "cheerful",
        "A cheerful young woman with a bright, high-pitched voice announces that the package has finally "
        "arrived, laughing a little between words.",
    ),
    Clip("0003_000455.wav", "0003", "cheerful", "Young female speaker, happy tone, fast speech, clean recording."),
    Clip("0003_000481.wav", "0003", "cheerful", "A young woman says something cheerful in a clear, energetic voice."),
    Clip("0003_001063.wav", "0003", "sad", "A young woman speaks slowly and sadly, her voice trembling."),
    Clip(
        "0003_001098.wav",
        "0003",
        "sad",
        "A young woman, sounding tearful, quietly says that she will not be coming home this weekend.",
    ),
    Clip("0003_001127.wav", "0003", "sad", "Sad young female voice, low energy, long pauses between phrases."),
    Clip("0007_000366.wav", "0007", "angry", "A middle-aged man shouts angrily."),
    Clip(
        "0007_000389.wav",
        "0007",
        "angry",
        "An angry man with a deep voice complains loudly and quickly about the delayed train, stressing every word.",
    ),
    Clip("0007_000402.wav", "0007", "angry", "Middle-aged male speaker, furious tone, loud and fast."),
    Clip("0007_000428.wav", "0007", "angry", "A man speaks in an irritated, harsh voice, getting louder."),
    Clip("0007_000051.wav", "0007", "calm", "A middle-aged man speaks calmly in a low, steady voice."),
    Clip(
        "0007_000077.wav", "0007", "calm", "A calm man reads a list of instructions at an even pace in a quiet office."
    ),
    Clip("0007_000109.wav", "0007", "calm", "Male speaker, neutral and relaxed tone, moderate speed."),
    Clip("0012_000214.wav", "0012", "slow", "An elderly man speaks slowly in a hoarse, breathy voice."),
    Clip(
        "0012_000230.wav",
        "0012",
        "slow",
        "An old man with a gravelly voice remembers, pausing often, how the harbour looked when he was a boy.",
    ),
    Clip("0012_000262.wav", "0012", "slow", "Elderly male voice, slow and raspy, recorded in a reverberant room."),
    Clip("0018_000140.wav", "0018", "warm", "An elderly woman tells a story in a warm, gentle voice."),
    Clip(
        "0018_000156.wav",
        "0018",
        "warm",
        "An old woman with a soft, slightly shaky voice reads a bedtime story slowly, lowering her pitch at the "
        "end of each sentence.",
    ),
    Clip("0018_000171.wav", "0018", "warm", "Older female speaker, kind and soothing tone, slow pace."),
    Clip("0021_001502.wav", "0021", "whisper", "A young man whispers quickly."),
    Clip(
        "0021_001518.wav",
        "0021",
        "whisper",
        "A young man whispers close to the microphone, as if telling a secret, with audible breaths between phrases.",
    ),
    Clip("0021_001533.wav", "0021", "whisper", "Whispered speech from a young male speaker, very quiet."),
    Clip("0021_000745.wav", "0021", "excited", "A young man speaks excitedly and very fast."),
    Clip(
        "0021_000761.wav",
        "0021",
        "excited",
        "An excited young man with an energetic voice describes the last minute of a football match, his pitch "
        "jumping at every shot.",
    ),
    Clip("0021_000790.wav", "0021", "excited", "Young male speaker, thrilled tone, rapid speech, crowd noise behind."),
    Clip("0025_000023.wav", "0025", "cheerful", "A little girl giggles and talks in a high, happy voice."),
    Clip(
        "0025_000038.wav",
        "0025",
        "cheerful",
        "A child with a very high-pitched voice happily counts from one to ten, getting louder as she goes.",
    ),
    Clip("0025_000046.wav", "0025", "cheerful", "Young girl, cheerful and playful tone."),
    Clip("0030_000310.wav", "0030", "neutral", "A woman reads the news in a clear, neutral, professional voice."),
    Clip(
        "0030_000327.wav",
        "0030",
        "neutral",
        "A female newsreader speaks at a steady pace with precise articulation, reporting the weekend weather "
        "for the northern regions.",
    ),
    Clip("0030_000345.wav", "0030", "neutral", "Female speaker, neutral tone, studio-quality recording."),
]
EMBEDDING_DIM = 512  # CLAP's joint space
# Squared weights, in the joint space, of what a caption and its clip share: the
# direction every embedding leans to, each speaker word, the style, the clip's
# own content. The rest of each embedding is its own (wording, recording).
_SHARED_WEIGHTS = dict(common=0.05, word=0.07, style=0.12, own=0.09)
_EVAL_NOISE = 0.12  # how much the audio embeddings move from one evaluation to the next


class _JointSpace(NamedTuple):
    text: np.ndarray  # [clips, D] caption embeddings (a frozen, pretrained text tower's)
    learned: np.ndarray  # [3, clips, D] what the audio tower learns to express: speaker, style, the clip's own part
    before: np.ndarray  # [clips, D] audio embeddings before training: by speaker, unrelated to the text
    common: np.ndarray  # [D]


def _joint_space(rng: np.random.Generator) -> _JointSpace:
    def directions(count: int) -> np.ndarray:
        return rng.standard_normal((count, EMBEDDING_DIM)) / np.sqrt(EMBEDDING_DIM)  # near-orthogonal, norm about 1

    words = sorted({word for pair in _SPEAKER_WORDS.values() for word in pair})
    styles = sorted({clip.style for clip in CLIPS})
    speakers = sorted(_SPEAKER_WORDS)
    common, word_vectors, style_vectors = directions(1)[0], directions(len(words)), directions(len(styles))
    own, wording, by_speaker, recording = (
        directions(len(CLIPS)),
        directions(len(CLIPS)),
        directions(len(speakers)),
        directions(len(CLIPS)),
    )
    weight = {name: np.sqrt(value) for name, value in _SHARED_WEIGHTS.items()}
    speaker_part = np.stack(
        [
            weight["word"] * sum(word_vectors[words.index(word)] for word in _SPEAKER_WORDS[clip.speaker])
            for clip in CLIPS
        ]
    )
    style_part = np.stack([weight["style"] * style_vectors[styles.index(clip.style)] for clip in CLIPS])
    own_part = weight["own"] * own
    shared = sum(_SHARED_WEIGHTS.values()) + _SHARED_WEIGHTS["word"]  # two speaker words
    rest = np.sqrt(1.0 - shared)
    text = weight["common"] * common + speaker_part + style_part + own_part + rest * wording
    # Before training, clips of one speaker sound alike and nothing matches the text. Norm about 1.
    before = (np.stack([by_speaker[speakers.index(clip.speaker)] for clip in CLIPS]) + 0.6 * recording) / np.sqrt(1.36)
    return _JointSpace(text, np.stack([speaker_part, style_part, own_part]), before, weight["common"] * common)


def clap_embeddings(space: _JointSpace, progress: float, rng: np.random.Generator) -> Tuple[np.ndarray, np.ndarray]:
    """Text and audio embeddings of the evaluation batch at `progress` in [0, 1] of training.

    The audio tower learns what the captions say in order: the speaker
    first, then the style, the clip's own content last, so captions that
    share speaker and style words stay confused longest.
    """
    speaker, style = ((1 - np.exp(-progress / pace)) / (1 - np.exp(-1 / pace)) for pace in (0.1, 0.2))
    learned = np.array([speaker, style, progress**1.5])  # the clip's own content comes late
    audio = space.common + np.tensordot(learned, space.learned, axes=1)
    audio += np.sqrt(1.0 - 0.7 * learned.mean()) * space.before  # what the captions never describe stays
    audio += _EVAL_NOISE * rng.standard_normal(audio.shape) / np.sqrt(EMBEDDING_DIM)
    return space.text.astype(np.float32), audio.astype(np.float32)


def write_contrastive(logdir: str, steps: int, every: int, rng: np.random.Generator) -> None:
    """A CLAP-like run's caption-to-clip similarity on a fixed evaluation batch."""
    space = _joint_space(rng)
    with spectro_summary.Writer(os.path.join(logdir, "contrastive")) as writer:
        for step in range(0, steps + 1, every):
            text, audio = clap_embeddings(space, step / max(1, steps), rng)
            spectro_summary.similarity_matrix(
                "align/text_audio",
                text,
                audio,
                step,
                labels_a=[clip.caption for clip in CLIPS],
                labels_b=[clip.clip_id for clip in CLIPS],
                a_name="text",
                b_name="audio",
                writer=writer,
            )
