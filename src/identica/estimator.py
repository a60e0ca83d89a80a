# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The scikit-learn facade: :class:`Embedding` builds the parts from names, trains, embeds."""

from __future__ import annotations

import copy
import os
from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin

from identica import _build
from identica._params import check_params
from identica.data._dataset import Dataset
from identica.data._validate import as_recording, check_neural
from identica.data._windows import WindowGatherer
from identica.exceptions import DataValidationError, NotFittedError
from identica.losses._module import InfoNCE
from identica.losses._similarity import SIMILARITIES
from identica.nn._base import reset_parameters
from identica.nn._registry import make_encoder
from identica.training._callbacks import ProgressBar
from identica.training._solver import Solver

__all__ = ["Embedding"]

_TRANSFORM_BUDGET = 2**25  # floats per transform chunk (128 MiB of windows)


class Embedding(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Learn a low-dimensional embedding of neural data by contrastive learning (CEBRA-style).

    Parameters
    ----------
    encoder : str or nn.Module, default="conv10"
        ``"mlp"``, ``"conv5"``, ``"conv10"``, ``"conv15"``, ``"conv20"``, ``"conv36"``,
        ``"conv50"`` (the number is the receptive field), or a module declaring
        ``receptive_field``, ``n_features_in`` and ``output_dimension``.
    output_dimension : int, default=8
        Embedding dimension.
    hidden_units : int, default=32
        Width of the encoder's hidden layers.
    conditional : str, default="auto"
        How positive pairs are drawn: ``"time"``, ``"time_delta"``, ``"delta"``,
        ``"discrete"``, ``"mixed"``, or ``"auto"`` (from the labels given to ``fit``).
    time_offset : int or tuple of int, default=10
        Steps between a reference and its time positive, or over which label changes are
        measured; a tuple draws one per sample.
    delta : float, optional
        Label noise scale of the ``"delta"`` conditional (required for it).
    prior : {"empirical", "uniform"}, optional
        Reference distribution for discrete labels; default ``"empirical"`` for ``discrete``,
        ``"uniform"`` (class-balanced) for ``mixed``.
    similarity : {"cosine", "euclidean", "dot"}, default="cosine"
        ``euclidean`` is the negative squared distance.
    temperature : float, default=1.0
        InfoNCE temperature (the start value when learned).
    learn_temperature : bool, default=False
        Learn the temperature, floored at ``min_temperature``.
    min_temperature : float, default=0.1
        Floor of a learned temperature.
    denominator : {"negatives", "full"}, default="negatives"
        Whether the positive pair enters the InfoNCE denominator.
    batch_size : int, default=512
        Positive pairs per step.
    num_negatives : int, optional
        Negatives per step; ``None`` means ``batch_size``.
    negatives : {"independent", "references"}, default="independent"
        ``"independent"`` draws ``num_negatives`` fresh windows from the prior each step;
        ``"references"`` uses the batch's other references (also prior draws) as negatives,
        which saves a third of the encoder work per step.
    max_iterations : int, default=5000
        Training steps per call of ``fit`` or ``partial_fit``.
    learning_rate : float, default=3e-4
        Adam learning rate.
    device : str, default="auto"
        ``"cpu"``, ``"cuda"``, ``"cuda:N"``, ``"mps"`` or ``"auto"``.
    num_threads : int, optional
        Torch intra-op threads during fit and transform; ``None`` leaves torch's setting.
    random_state : int, optional
        Seeds encoder initialisation and sampling. The same value on CPU gives a bit-identical
        embedding; GPU kernels may not be deterministic.
    verbose : bool, default=False
        Show a progress bar with the loss.

    Attributes
    ----------
    encoder_ : nn.Module
        The trained encoder.
    loss_ : InfoNCE
        The loss module (holds a learned temperature).
    conditional_ : str
        The conditional used.
    receptive_field_ : Offset
        The encoder's receptive field.
    loss_history_ : ndarray of shape (n_iter_,)
        Loss of every step; ``alignment_history_`` and ``uniformity_history_`` hold its parts.
    n_iter_ : int
        Steps trained in total.
    n_features_in_ : int
        Number of input channels.

    Examples
    --------
    >>> import identica
    >>> data = identica.synthetic.linear_track(n_samples=2000, n_neurons=40)
    >>> model = identica.Embedding(output_dimension=3, batch_size=128, max_iterations=20,
    ...                            random_state=0)
    >>> embedding = model.fit(data.neural, data.continuous).transform(data.neural)
    >>> embedding.shape, model.conditional_
    ((2000, 3), 'time_delta')
    """

    def __init__(
        self,
        *,
        encoder: Any = "conv10",
        output_dimension: int = 8,
        hidden_units: int = 32,
        conditional: str = "auto",
        time_offset: int | tuple[int, ...] = 10,
        delta: float | None = None,
        prior: str | None = None,
        similarity: str = "cosine",
        temperature: float = 1.0,
        learn_temperature: bool = False,
        min_temperature: float = 0.1,
        denominator: str = "negatives",
        batch_size: int = 512,
        num_negatives: int | None = None,
        negatives: str = "independent",
        max_iterations: int = 5000,
        learning_rate: float = 3e-4,
        device: str = "auto",
        num_threads: int | None = None,
        random_state: Any = None,
        verbose: bool = False,
    ) -> None:
        self.encoder = encoder
        self.output_dimension = output_dimension
        self.hidden_units = hidden_units
        self.conditional = conditional
        self.time_offset = time_offset
        self.delta = delta
        self.prior = prior
        self.similarity = similarity
        self.temperature = temperature
        self.learn_temperature = learn_temperature
        self.min_temperature = min_temperature
        self.denominator = denominator
        self.batch_size = batch_size
        self.num_negatives = num_negatives
        self.negatives = negatives
        self.max_iterations = max_iterations
        self.learning_rate = learning_rate
        self.device = device
        self.num_threads = num_threads
        self.random_state = random_state
        self.verbose = verbose

    # -- fitting ---------------------------------------------------------------------------

    def fit(
        self, X: Any, y: Any = None, *, discrete: Any = None, trial_starts: Any = None
    ) -> Embedding:
        """Train a fresh encoder on one recording.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Neural data, one row per time bin.
        y : array-like of shape (n_samples,) or (n_samples, n_labels), optional
            Float labels are continuous behaviour; 1-D integer labels are discrete.
        discrete : array-like of shape (n_samples,), optional
            Integer labels added to continuous ``y`` (the ``mixed`` conditional).
        trial_starts : array-like of shape (n_trials,), optional
            First row of every trial (starting at 0). No window, positive pair or label
            change crosses a trial border.

        Returns
        -------
        Embedding
            ``self``, fitted.

        Raises
        ------
        ConfigurationError
            A parameter is unknown or out of range (checked before any training).
        DataValidationError
            The data is malformed or does not fit the conditional.
        DeviceUnavailableError
            The requested device does not exist on this machine.
        """
        for name in ("encoder_", "loss_", "optimizer_", "n_iter_"):
            self.__dict__.pop(name, None)
        return self._train(X, y, discrete, trial_starts)

    def partial_fit(
        self, X: Any, y: Any = None, *, discrete: Any = None, trial_starts: Any = None
    ) -> Embedding:
        """Train ``max_iterations`` more steps on ``X`` (from scratch if not fitted yet).

        Parameters and labels are as for :meth:`fit`; the encoder, optimiser state and
        random stream continue from the previous call.

        Returns
        -------
        Embedding
            ``self``.
        """
        return self._train(X, y, discrete, trial_starts)

    def _train(self, X: Any, y: Any, discrete: Any, trial_starts: Any) -> Embedding:
        p = check_params(self.get_params())
        recording = as_recording(X, y, discrete=discrete, trial_starts=trial_starts)
        device = _build.resolve_device(p["device"])
        warm = hasattr(self, "encoder_")
        if warm and recording.n_neurons != self.n_features_in_:
            raise DataValidationError(
                f"X has {recording.n_neurons} features, but Embedding is expecting "
                f"{self.n_features_in_} features as input (the channels seen in fit). Call fit "
                "to start over on new channels."
            )
        conditional = _build.resolve_conditional(p["conditional"], recording)
        with _build.num_threads(p["num_threads"]):
            # Build and check everything before touching fitted state: a refused fit leaves
            # the estimator as it was.
            parts = {} if warm else self._new_parts(p, recording.n_neurons, device)
            field = (parts["encoder_"] if parts else self.encoder_).receptive_field
            if recording.n_samples < max(2, len(field)):
                raise DataValidationError(
                    f"X has {recording.n_samples} sample(s) (time steps); training needs at "
                    f"least {max(2, len(field))}: 2 for a pair, and the encoder's receptive "
                    f"field of {len(field)}. Use a longer recording or a smaller encoder "
                    "(e.g. encoder='mlp')."
                )
            runs = Dataset([recording]).valid_runs(field)
            sampler = _build.make_sampler(
                conditional,
                recording,
                runs,
                time_offset=p["time_offset"],
                delta=p["delta"],
                prior=p["prior"],
                num_negatives=_n_drawn_negatives(p),
            )
            self.__dict__.update(parts)
            generator = torch.Generator()
            generator.set_state(self._generator_state)
            neural = torch.from_numpy(recording.neural).to(device)
            callbacks = [ProgressBar(p["max_iterations"], disable=not p["verbose"])]
            solver = Solver(
                self.encoder_, self.loss_, self.optimizer_, sampler,
                WindowGatherer(neural, field), batch_size=p["batch_size"],
                generator=generator, callbacks=callbacks,
                share_negatives=p["negatives"] == "references",
            )
            history = solver.fit(p["max_iterations"]).cpu().numpy()
        self._generator_state = generator.get_state()
        self._history = np.concatenate([self._history, history])
        self.n_iter_ = len(self._history)
        self.conditional_ = conditional
        self.receptive_field_ = field
        self.device_ = device
        return self

    def _new_parts(
        self, p: dict[str, Any], n_features: int, device: torch.device
    ) -> dict[str, Any]:
        init_seed, sampler_seed = _build.seed_sequence(p["random_state"]).spawn(2)
        if isinstance(p["encoder"], str):
            encoder = make_encoder(
                p["encoder"], n_features, p["output_dimension"],
                hidden_units=p["hidden_units"], normalize=p["similarity"] == "cosine",
            )
            reset_parameters(encoder, generator=_build.torch_generator(init_seed))
        else:
            encoder = copy.deepcopy(p["encoder"])
            if encoder.n_features_in != n_features:
                raise DataValidationError(
                    f"X has {n_features} features, but the encoder module expects "
                    f"{encoder.n_features_in} (its n_features_in)."
                )
        encoder = encoder.to(device)
        loss = InfoNCE(
            similarity=SIMILARITIES[p["similarity"]], temperature=p["temperature"],
            learn_temperature=p["learn_temperature"], min_temperature=p["min_temperature"],
            denominator=p["denominator"],
        ).to(device)
        params = list(encoder.parameters()) + list(loss.parameters())
        return {
            "encoder_": encoder,
            "loss_": loss,
            "optimizer_": torch.optim.Adam(params, lr=p["learning_rate"], fused=True),
            "_generator_state": _build.torch_generator(sampler_seed).get_state(),
            "_history": np.zeros((0, 3), dtype=np.float32),
            "n_features_in_": n_features,
        }

    # -- fitted state ----------------------------------------------------------------------

    @property
    def loss_history_(self) -> np.ndarray:
        """InfoNCE of every training step, shape ``(n_iter_,)``."""
        self._check_fitted()
        return self._history[:, 0].copy()

    @property
    def alignment_history_(self) -> np.ndarray:
        """Alignment part of the loss of every step, shape ``(n_iter_,)``."""
        self._check_fitted()
        return self._history[:, 1].copy()

    @property
    def uniformity_history_(self) -> np.ndarray:
        """Uniformity part of the loss of every step, shape ``(n_iter_,)``."""
        self._check_fitted()
        return self._history[:, 2].copy()

    @property
    def _n_features_out(self) -> int:
        return int(self.encoder_.output_dimension)

    def _check_fitted(self) -> None:
        if not hasattr(self, "encoder_"):
            raise NotFittedError(
                "This Embedding is not fitted yet. Call fit(X, y) before transform, save or "
                "goodness_of_fit."
            )

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "encoder_")

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        tags.transformer_tags.preserves_dtype = ["float32"]
        tags.non_deterministic = self.random_state is None
        return tags

    # -- embedding -------------------------------------------------------------------------

    def transform(self, X: Any) -> np.ndarray:
        """Embed ``X``: one row per input row.

        The recording is padded by repeating its first row ``left`` times and its last row
        ``right - 1`` times (``receptive_field_ = Offset(left, right)``), so edge rows get an
        embedding from a window that repeats the edge. Rows are embedded in chunks without
        gradients.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Neural data with the features seen in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples, output_dimension), float32
        """
        self._check_fitted()
        neural = check_neural(X)
        if neural.shape[1] != self.n_features_in_:
            raise DataValidationError(
                f"X has {neural.shape[1]} features, but Embedding is expecting "
                f"{self.n_features_in_} features as input (the channels seen in fit)."
            )
        with _build.num_threads(self.num_threads), torch.no_grad():
            return self._embed(torch.from_numpy(neural))

    def _embed(self, neural: torch.Tensor) -> np.ndarray:
        field = self.receptive_field_
        n = len(neural)
        padded = torch.cat(
            [neural[:1].expand(field.left, -1), neural, neural[-1:].expand(field.right - 1, -1)]
        )
        gather = WindowGatherer(padded.to(self.device_), field)
        chunk = max(1, _TRANSFORM_BUDGET // (len(field) * neural.shape[1]))
        was_training = self.encoder_.training
        self.encoder_.eval()
        parts = []
        for start in range(0, n, chunk):
            index = torch.arange(start, min(n, start + chunk)) + field.left
            parts.append(self.encoder_(gather(index)).float().cpu())
        self.encoder_.train(was_training)
        return torch.cat(parts).numpy()

    # -- files -----------------------------------------------------------------------------

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the fitted model to one ``.safetensors`` file (weights + JSON config; no pickle).

        Load it with :func:`identica.load`.
        """
        from identica._serialization import save

        save(self, path)


def _n_drawn_negatives(p: dict[str, Any]) -> int:
    """Negatives the sampler draws: none when the references serve as negatives."""
    if p["negatives"] == "references":
        return 0
    return p["num_negatives"] or p["batch_size"]
