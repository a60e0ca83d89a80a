# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The scikit-learn facade: :class:`Embedding` builds the parts from names, trains, embeds."""

from __future__ import annotations

import os
from typing import Any

from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin

from identica.estimator import _fit
from identica.estimator._adapt_method import AdaptMethod
from identica.estimator._attributes import FittedAttributes
from identica.estimator._config import EmbeddingConfig
from identica.estimator._model_file import write
from identica.estimator._name_hints import CEBRANameHints
from identica.estimator._transform import transform
from identica.losses._jacobian import LinearRamp
from identica.training._solver import TrainingInterrupted

__all__ = ["Embedding"]


class Embedding(CEBRANameHints, FittedAttributes, AdaptMethod, ClassNamePrefixFeaturesOutMixin,
                TransformerMixin, BaseEstimator):
    """Learn a low-dimensional embedding of neural data by contrastive learning (CEBRA-style).

    Parameters
    ----------
    encoder : str or nn.Module, default="conv10"
        ``"mlp"``, ``"mlp-clip"`` (xCEBRA's network, output clipped to ±5), ``"mlp-scaled"``
        (DCL's), ``"conv5"`` … ``"conv50"`` (5, 10, 15, 20, 36, 50: the receptive field), or a
        module declaring ``receptive_field``, ``n_features_in`` and ``output_dimension``
        (copied as given, not re-initialised).
    output_dimension : int, default=8
        Embedding dimension.
    hidden_units : int, default=32
        Width of the encoder's hidden layers.
    conditional : str, default="auto"
        How positive pairs are drawn: ``"time"``, ``"time_delta"``, ``"delta"``,
        ``"discrete"``, ``"mixed"``, or ``"auto"`` (from the labels given to ``fit``).
    time_offset : int or tuple of int, default=10
        Steps to a time positive, or over which label changes are measured (a tuple: one
        drawn per sample).
    delta : float, optional
        Label noise scale of (and required by) the ``"delta"`` conditional.
    prior : {"empirical", "uniform"}, optional
        Reference distribution of discrete labels (default: empirical; mixed: class-balanced).
    similarity : {"cosine", "euclidean", "dot", "l1"}, default="cosine"
        ``euclidean``: negative squared distance; ``l1``: negative L1 distance (for Laplace
        latent changes, see the README's identifiability guide).
    output_constraint : {"auto", "none", "sphere", "box"}, default="auto"
        Where registry encoders put their output (:class:`identica.nn.OutputConstraint`):
        ``"auto"`` is ``"sphere"`` for cosine with one objective, else ``"none"``; ``"sphere"``
        with ``"dot"`` is the vMF loss; ``"box"`` a learnable ``scale * sigmoid``. A custom
        encoder module keeps its own output and needs ``"auto"``.
    temperature : float, default=1.0
        InfoNCE temperature (the start value when learned).
    learn_temperature : bool, default=False
        Learn the temperature, floored at ``min_temperature``.
    min_temperature : float, default=0.1
        Floor of a learned temperature.
    denominator : {"negatives", "full"}, default="negatives"
        Whether the positive pair enters the InfoNCE denominator.
    batch_size : int, default=512
        Positive pairs per step, per session (S sessions: ``S * batch_size`` pairs), as in CEBRA.
    num_negatives : int, optional
        Negatives per step with ``negatives="independent"``; ``None`` means ``batch_size``.
    negatives : {"auto", "references", "independent"}, default="auto"
        ``"references"``: the batch's other references (independent prior draws; a reference's
        own pair left out), a third less encoder work; ``"independent"``: ``num_negatives``
        extra prior draws per step, as in CEBRA (same quality on the benchmark, see the
        README). ``"auto"`` is ``"references"`` unless ``num_negatives`` is set.
    max_iterations : int, default=5000
        Training steps per call of ``fit`` or ``partial_fit``.
    max_adapt_iterations : int, default=500
        Training steps of :meth:`adapt`.
    learning_rate : float, default=3e-4
        Adam learning rate.
    device : str, default="auto"
        ``"cpu"``, ``"cuda"``, ``"cuda:N"``, ``"mps"`` or ``"auto"``.
    num_threads : int, optional
        CPU threads of fit, transform, goodness of fit and attribution. ``None``: one per 4e8
        multiply-adds of a step's encoder call, at most the cores other processes leave free
        (the default model: one); CUDA/MPS keep torch's setting. An int is always obeyed (set
        one for the same bits on any load: torch does not promise them across thread counts).
    random_state : int, optional
        Seeds initialisation and sampling: bit-identical on CPU (GPU kernels may not be).
    verbose : bool, default=False
        Show a progress bar with the loss.
    objectives : list of Objective, optional
        Each :class:`~identica.Objective` trains its slice of the output with its own
        conditional and labels (``fit(X, y={name: array})``); the loss is the weighted sum;
        cosine objectives normalise their own slice, not the whole output.
    hybrid : bool, default=False
        Shorthand for two objectives: behaviour (the labels given to ``fit``) on the first
        ``behavior_dimension`` dimensions, and time (``time_offset``) on all dimensions
        (``hybrid_time="overlapping"``) or on the remaining ones (``"separate"``).
    behavior_dimension : int, default=3
        Dimensions of the behaviour objective with ``hybrid=True``.
    hybrid_time : {"overlapping", "separate"}, default="overlapping"
        Dimensions of the time objective with ``hybrid=True``.
    jacobian_regularization : float or LinearRamp, optional
        Weight of a Jacobian penalty on every objective's output slice (xCEBRA), constant or a
        :class:`~identica.losses.LinearRamp`; about doubles the step cost.
    jacobian_projections : int, default=1
        Random projections per penalty estimate; 0 computes the exact penalty.
    checkpoint : str or path-like, optional
        Model file written atomically every ``checkpoint_every`` steps, after the last and on
        an interrupt: ``identica.load`` it and ``partial_fit`` to resume bit for bit.
    checkpoint_every : int, default=500
        Steps between checkpoints.
    distributed : bool, default=False
        Train data-parallel when started by ``torchrun`` (or ``identica fit --nproc K``):
        every process draws its own ``batch_size`` pairs from its own random stream (derived
        from ``random_state`` and the rank), the encoders are wrapped in
        ``DistributedDataParallel`` (gloo on CPU, NCCL on CUDA, one GPU per process), the
        negatives are gathered from every process with their gradients
        (:class:`~identica.training.GatheredNegatives`), and only rank 0 writes checkpoints.
        With one process (or outside ``torchrun``) it is the ordinary fit, bit for bit. See
        :mod:`identica.distributed`.

    Attributes
    ----------
    encoders_ : nn.ModuleList
        The trained encoders: one, or one per session (sessions of a multi-session fit
        without labels share one). ``encoder_`` is the single encoder of a one-encoder model.
    session_encoder_ : list of int
        Index into ``encoders_`` for every session.
    n_features_per_session_ : list of int
        Input channels of every session (``n_features_in_`` for a single session).
    loss_ : InfoNCE
        The loss module (holds a learned temperature).
    conditional_ : str
        The conditional used.
    receptive_field_ : Offset
        The encoder's receptive field.
    loss_history_ : ndarray of shape (n_iter_,)
        The loss optimised at every step (with the weighted Jacobian penalty when
        regularised); ``alignment_history_`` and ``uniformity_history_`` hold its InfoNCE
        parts.
    chance_loss_ : float
        The InfoNCE of an embedding that carries no information (see
        :func:`identica.metrics.goodness_of_fit`).
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
        output_constraint: str = "auto",
        temperature: float = 1.0,
        learn_temperature: bool = False,
        min_temperature: float = 0.1,
        denominator: str = "negatives",
        batch_size: int = 512,
        num_negatives: int | None = None,
        negatives: str = "auto",
        max_iterations: int = 5000,
        max_adapt_iterations: int = 500,
        learning_rate: float = 3e-4,
        device: str = "auto",
        num_threads: int | None = None,
        random_state: Any = None,
        verbose: bool = False,
        objectives: list[Any] | None = None,
        hybrid: bool = False,
        behavior_dimension: int = 3,
        hybrid_time: str = "overlapping",
        jacobian_regularization: float | LinearRamp | None = None,
        jacobian_projections: int = 1,
        checkpoint: str | os.PathLike[str] | None = None,
        checkpoint_every: int = 500,
        distributed: bool = False,
    ) -> None:
        self.encoder = encoder
        self.output_dimension = output_dimension
        self.hidden_units = hidden_units
        self.conditional = conditional
        self.time_offset = time_offset
        self.delta = delta
        self.prior = prior
        self.similarity = similarity
        self.output_constraint = output_constraint
        self.temperature = temperature
        self.learn_temperature = learn_temperature
        self.min_temperature = min_temperature
        self.denominator = denominator
        self.batch_size = batch_size
        self.num_negatives = num_negatives
        self.negatives = negatives
        self.max_iterations = max_iterations
        self.max_adapt_iterations = max_adapt_iterations
        self.learning_rate = learning_rate
        self.device = device
        self.num_threads = num_threads
        self.random_state = random_state
        self.verbose = verbose
        self.objectives = objectives
        self.hybrid = hybrid
        self.behavior_dimension = behavior_dimension
        self.hybrid_time = hybrid_time
        self.jacobian_regularization = jacobian_regularization
        self.jacobian_projections = jacobian_projections
        self.checkpoint = checkpoint
        self.checkpoint_every = checkpoint_every
        self.distributed = distributed

    # -- fitting ---------------------------------------------------------------------------

    def fit(
        self, X: Any, y: Any = None, *, discrete: Any = None, trial_starts: Any = None,
        callbacks: Any = None,
    ) -> Embedding:
        """Train a fresh encoder on one recording.

        Ctrl-C (or a callback raising ``KeyboardInterrupt``) ends training after the running
        step; the estimator keeps the steps done (``n_iter_``; equal to a fit of that many
        steps), writes the ``checkpoint``, warns, and the ``KeyboardInterrupt`` propagates.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Neural data, one row per time bin; an array stored on disk (a NumPy memmap, an
            h5py or zarr array, see :func:`identica.io.open_array`) stays there and each
            step reads only its windows.
        y : array-like of shape (n_samples,) or (n_samples, n_labels), optional
            Float labels are continuous behaviour; 1-D integer labels are discrete.
        discrete : array-like of shape (n_samples,), optional
            Integer labels added to continuous ``y`` (the ``mixed`` conditional).
        trial_starts : array-like of shape (n_trials,), optional
            First row of every trial (starting at 0). No window, positive pair or label
            change crosses a trial border.
        callbacks : list of identica.training.AbstractCallback, optional
            Called every ``callback.every`` steps and after the last as ``callback(solver,
            iteration, history) -> bool`` (``iteration``: this call's steps, from 1;
            ``history[:iteration]``: their loss rows); ``True`` stops training.

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
        return self._train("fit", None, X, y, discrete, trial_starts, callbacks)

    def partial_fit(
        self, X: Any, y: Any = None, *, discrete: Any = None, trial_starts: Any = None,
        callbacks: Any = None,
    ) -> Embedding:
        """Train ``max_iterations`` more steps on ``X`` (from scratch if not fitted yet).

        Parameters, labels, callbacks and interrupts are as for :meth:`fit`; the encoder,
        optimiser state and random stream continue from the previous call or from the file
        :func:`identica.load` read (a checkpoint included).

        Returns
        -------
        Embedding
            ``self``.
        """
        state = self.__dict__.get("_state")
        return self._train("partial_fit", state, X, y, discrete, trial_starts, callbacks)

    def _train(self, method: str, state: Any, X: Any, y: Any, discrete: Any,
               trial_starts: Any, callbacks: Any) -> Embedding:
        """One run of fit or partial_fit; an interrupted run keeps its steps (then re-raises)."""
        config, params = self._config(), self.get_params()
        callbacks = _fit.check_callbacks(callbacks, f"Embedding.{method}")
        try:
            self._state = _fit.train(config, X, y, discrete, trial_starts, state,
                                     callbacks=callbacks,
                                     save=lambda s, path: write(params, s, path, check=False))
        except TrainingInterrupted as stop:
            if stop.result is not None:  # at least one step done: keep it, say so
                self._state = stop.result
                _fit.warn_interrupted(stop, config, method)
            raise
        return self

    def _config(self) -> EmbeddingConfig:
        """The parameters, checked against the constraint table (once per call of fit)."""
        return EmbeddingConfig.from_params(self.get_params())

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        tags.transformer_tags.preserves_dtype = ["float32"]
        tags.non_deterministic = self.random_state is None
        return tags

    # -- embedding -------------------------------------------------------------------------

    def transform(self, X: Any, *, session: int | None = None) -> Any:
        """Embed ``X``: one row per input row.

        The recording is padded by repeating its first row ``left`` times and its last row
        ``right - 1`` times (``receptive_field_ = Offset(left, right)``), so edge rows get an
        embedding from a window that repeats the edge. Rows are embedded in chunks without
        gradients.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or list of such arrays
            Neural data with the features seen in ``fit``; a list holds one array per session
            and gives a list back. An array stored on disk is embedded a chunk at a time.
        session : int, optional
            Which session's encoder embeds an array ``X`` (required for a model fitted on
            several sessions with separate encoders).

        Returns
        -------
        ndarray of shape (n_samples, output_dimension), float32, or a list of them
        """
        return transform(self._fitted(), X, session, num_threads=self.num_threads)

    # -- files -----------------------------------------------------------------------------

    def save(self, path: str | os.PathLike[str], *,
             metadata: dict[str, str] | None = None) -> None:
        """Write the fitted model to one ``.safetensors`` file (weights + JSON config; no pickle).

        Load it with :func:`identica.load`. The file is written atomically, with the
        permissions the umask gives a new file; a missing folder is an error. ``metadata``
        adds string entries of your own to the file's metadata (covered by its checksum).
        """
        write(self.get_params(), self._fitted(), path, extra=metadata)

