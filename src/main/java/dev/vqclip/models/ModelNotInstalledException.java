package dev.vqclip.models;

import java.net.URI;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A model was asked for by name but is not installed. The message says which files are missing, where they would
 * come from and how to install them by hand without network access.
 */
public class ModelNotInstalledException extends ModelException {
    private final transient ModelEntry entry;

    public ModelNotInstalledException(ModelEntry entry, ModelCache cache) {
        super(describe(entry, cache));
        this.entry = entry;
    }

    /** @return the model that is missing */
    public ModelEntry entry() {
        return entry;
    }

    static String describe(ModelEntry e, ModelCache cache) {
        List<ModelFile> missing = e.files().stream().filter(f -> !cache.isPresent(e, f)).collect(Collectors.toList());
        if (missing.isEmpty()) {
            missing = e.files(); // all files there but no marker: an interrupted install
        }
        StringBuilder sb = new StringBuilder();
        sb.append("model '").append(e.name()).append("' is not installed (cache: ").append(cache.root()).append(")");
        for (ModelFile f : missing) {
            sb.append("\n  missing ").append(f.fileName());
            if (f.displaySize() > 0) {
                sb.append(" (").append(Sizes.human(f.displaySize())).append(")");
            }
            List<URI> urls = f.urls();
            if (!urls.isEmpty()) {
                sb.append(" from ").append(urls.get(0));
                for (URI u : urls.subList(1, urls.size())) {
                    sb.append("\n      or ").append(u);
                }
            }
        }
        sb.append("\nDownload it with:  vqclip models download ").append(e.name());
        sb.append("\nWithout network access, fetch the file").append(missing.size() > 1 ? "s" : "")
                .append(" elsewhere and install by hand:  vqclip models import");
        for (ModelFile f : missing) {
            sb.append(" /path/to/").append(f.fileName());
        }
        sb.append(" --as ").append(e.name());
        return sb.toString();
    }
}
