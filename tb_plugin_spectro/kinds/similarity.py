"""Similarity matrices: an N x M matrix, the cosine similarity of two embedding sets or given.

A step holds the matrix and, in a blob of their own, its row and column
labels, so that the header stays small.
"""

from typing import Any, Dict, List

import numpy as np

from tb_plugin_spectro import _inputs, _writing, codec, kinds, stats, wire
from tb_plugin_spectro import plugin_data_pb2 as pb

__all__ = ["SimilarityMatrix", "KIND", "encode"]

_COSINE_EPS = 1e-8  # smallest embedding norm divided by, as torch's cosine_similarity


def _cosine_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    def normalize(x):
        norms = np.linalg.norm(x.astype(np.float64), axis=1, keepdims=True)
        return (x / np.maximum(norms, _COSINE_EPS)).astype(np.float32)

    with np.errstate(invalid="ignore", over="ignore"):
        return normalize(a) @ normalize(b).T


def encode(
    options: _writing.ArrayOptions,
    a: _writing.ArrayLike,
    b,
    *,
    labels_a,
    labels_b,
    a_name,
    b_name,
) -> _writing.EncodedStep:
    """Checks the arguments of `summary.similarity_matrix` beyond the common ones; computes the stats; encodes."""
    for value, name in ((a_name, "a_name"), (b_name, "b_name")):
        if value is not None:
            _inputs.check_string(value, name, max_length=1000)
    max_elements = options.max_elements
    header = pb.StepHeader()
    step_pb = header.similarity
    if b is None:
        matrix = _inputs.to_float_array(
            a, "a", ranks=(2,), shape_hint="[N, M] (a similarity matrix, as b is None)", max_elements=max_elements
        )
        step_pb.source = pb.GIVEN_MATRIX
    else:
        a_array = _inputs.to_float_array(
            a, "a", ranks=(2,), shape_hint="[N, D] (N embeddings)", max_elements=max_elements
        )
        b_array = _inputs.to_float_array(
            b, "b", ranks=(2,), shape_hint="[M, D] (M embeddings)", max_elements=max_elements
        )
        if a_array.shape[1] != b_array.shape[1]:
            raise ValueError(
                f"a and b must have the same embedding dimension, got a {a_array.shape!r} and b {b_array.shape!r}"
            )
        cells = a_array.shape[0] * b_array.shape[0]
        if cells > max_elements:
            raise ValueError(
                f"the similarity matrix of a {a_array.shape!r} and b {b_array.shape!r} has {cells} values, "
                f"more than max_elements={max_elements}; pass a larger max_elements to store it anyway"
            )
        matrix = _cosine_similarity(a_array, b_array)
        step_pb.source = pb.COSINE_OF_EMBEDDINGS
        step_pb.embedding_dim = a_array.shape[1]
    rows, columns = matrix.shape
    row_labels = [] if labels_a is None else _inputs.check_strings(labels_a, "labels_a", rows, what="row of the matrix")
    column_labels = (
        [] if labels_b is None else _inputs.check_strings(labels_b, "labels_b", columns, what="column of the matrix")
    )

    step_pb.stats.CopyFrom(stats.similarity_stats(matrix))
    encoded, blob = codec.encode_array(matrix, options.precision, 1, name="the similarity matrix")
    step_pb.matrix.CopyFrom(encoded)
    blobs = [blob]
    if row_labels or column_labels:
        step_pb.labels_blob_index = len(blobs) + 1
        blobs.append(pb.Labels(rows=row_labels, columns=column_labels).SerializeToString())

    plugin_data = pb.SpectroPluginData(kind=pb.SIMILARITY_MATRIX)
    plugin_data.similarity.rows_name = a_name or ""
    plugin_data.similarity.columns_name = b_name or ""
    return _writing.EncodedStep(plugin_data, header, blobs, step_pb.stats.nonfinite, "the similarity matrix")


def _parse_labels(blob: bytes) -> Dict[str, List[str]]:
    try:
        labels = pb.Labels.FromString(blob)
    except Exception as e:  # protobuf raises DecodeError or a runtime error
        raise ValueError(f"unreadable labels: {e}") from None
    return {"rows": list(labels.rows), "columns": list(labels.columns)}


class SimilarityMatrix(kinds.Kind):
    """A step holds the matrix; /data sends its labels too."""

    enum = pb.SIMILARITY_MATRIX
    name = "similarity_matrix"
    body = "similarity"

    def arrays(self, header: pb.StepHeader, sample: int) -> List[kinds.NamedArray]:
        return [kinds.NamedArray("matrix", header.similarity.matrix)]

    def extra_blobs(self, header: pb.StepHeader, sample: int) -> List[kinds.ExtraBlob]:
        index = header.similarity.labels_blob_index
        return [kinds.ExtraBlob("labels", index, _parse_labels)] if index else []

    def step_summary(self, header: pb.StepHeader) -> Dict[str, Any]:
        return {"stats": wire.message_dict(header.similarity.stats), "shape": list(header.similarity.matrix.shape)}


KIND = kinds.register(SimilarityMatrix())
