package dev.vqclip.app.settings;

import dev.vqclip.engine.augment.Augmentations;
import javafx.beans.Observable;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.LongProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleLongProperty;

import java.util.List;
import java.util.Random;
import java.util.function.LongSupplier;

/** Run settings as editable properties; {@link #get()} and {@link #set} convert to and from {@link Settings}. */
public final class SettingsViewModel {
    private final IntegerProperty width = new SimpleIntegerProperty();
    private final IntegerProperty height = new SimpleIntegerProperty();
    private final IntegerProperty steps = new SimpleIntegerProperty();
    private final LongProperty seed = new SimpleLongProperty();
    private final IntegerProperty cutouts = new SimpleIntegerProperty();
    private final DoubleProperty cutPow = new SimpleDoubleProperty();
    private final DoubleProperty learningRate = new SimpleDoubleProperty();
    private final DoubleProperty l2Weight = new SimpleDoubleProperty();
    private final DoubleProperty l2Decay = new SimpleDoubleProperty();
    private final BooleanProperty flip = new SimpleBooleanProperty();
    private final BooleanProperty affine = new SimpleBooleanProperty();
    private final BooleanProperty perspective = new SimpleBooleanProperty();
    private final BooleanProperty colorJitter = new SimpleBooleanProperty();
    private final BooleanProperty noise = new SimpleBooleanProperty();
    private final DoubleProperty noiseFactor = new SimpleDoubleProperty();
    private final IntegerProperty historyEvery = new SimpleIntegerProperty(50);
    private final EnginePriority enginePriority = new EnginePriority();
    private final LongSupplier dice;

    public SettingsViewModel() {
        this(new Random()::nextLong);
    }

    /** @param dice source of new seeds (tests pass a fixed one) */
    public SettingsViewModel(LongSupplier dice) {
        this.dice = dice;
        set(Settings.defaults());
    }

    // ---- Commands ----

    /** Picks a new random seed (the dice button). */
    public void rollSeed() {
        seed.set(dice.getAsLong() & 0xffff_ffffL);
    }

    public Settings get() {
        return new Settings(width.get(), height.get(), steps.get(), seed.get(), cutouts.get(), cutPow.get(),
                learningRate.get(), l2Weight.get(), l2Decay.get(), new Augmentations(flip.get(), affine.get(),
                perspective.get(), colorJitter.get(), noise.get(), noiseFactor.get()));
    }

    public void set(Settings s) {
        width.set(s.width());
        height.set(s.height());
        steps.set(s.steps());
        seed.set(s.seed());
        cutouts.set(s.cutouts());
        cutPow.set(s.cutPow());
        learningRate.set(s.learningRate());
        l2Weight.set(s.l2Weight());
        l2Decay.set(s.l2Decay());
        Augmentations a = s.augmentations();
        flip.set(a.flip());
        affine.set(a.affine());
        perspective.set(a.perspective());
        colorJitter.set(a.colorJitter());
        noise.set(a.noise());
        noiseFactor.set(a.noiseFactor());
    }

    /** @return every property that is part of {@link Settings} (to observe changes) */
    public List<Observable> observables() {
        return List.of(width, height, steps, seed, cutouts, cutPow, learningRate, l2Weight, l2Decay, flip, affine,
                perspective, colorJitter, noise, noiseFactor);
    }

    // ---- Properties ----

    public IntegerProperty widthProperty() {
        return width;
    }

    public IntegerProperty heightProperty() {
        return height;
    }

    public IntegerProperty stepsProperty() {
        return steps;
    }

    public LongProperty seedProperty() {
        return seed;
    }

    public IntegerProperty cutoutsProperty() {
        return cutouts;
    }

    public DoubleProperty cutPowProperty() {
        return cutPow;
    }

    public DoubleProperty learningRateProperty() {
        return learningRate;
    }

    public DoubleProperty l2WeightProperty() {
        return l2Weight;
    }

    public DoubleProperty l2DecayProperty() {
        return l2Decay;
    }

    public BooleanProperty flipProperty() {
        return flip;
    }

    public BooleanProperty affineProperty() {
        return affine;
    }

    public BooleanProperty perspectiveProperty() {
        return perspective;
    }

    public BooleanProperty colorJitterProperty() {
        return colorJitter;
    }

    public BooleanProperty noiseProperty() {
        return noise;
    }

    public DoubleProperty noiseFactorProperty() {
        return noiseFactor;
    }

    /** The "Run in the background" setting (a user preference, not part of a run's settings). */
    public EnginePriority enginePriority() {
        return enginePriority;
    }

    /** Snapshot to history every N steps (0: only at pauses); not part of the request. */
    public IntegerProperty historyEveryProperty() {
        return historyEvery;
    }
}
