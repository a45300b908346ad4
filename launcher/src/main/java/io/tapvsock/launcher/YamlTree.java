package io.tapvsock.launcher;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * A YAML file read the safe way: composed into nodes only, never constructed into objects, so nothing in the
 * file can name a Java type. Scalars resolve with YAML 1.2's core schema, as Go's yaml.v3 (gvproxy's) reads them:
 * {@code 10:11:11:11:11:00} is text, not a base-60 number. Every error is a {@link FlagException} naming the file,
 * the field path ({@code stack.dns[0].records[1].ip}) and the line.
 */
final class YamlTree {

    /** gvproxy's configuration is a few hundred lines at most; this bounds a hostile one. */
    private static final int MAX_CODE_POINTS = 1 << 20;

    private YamlTree() {
    }

    /** Reads a file; an empty document is an empty mapping. */
    static Value load(Path file) throws FlagException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw FlagException.invalid(file + ": not UTF-8 text");
        } catch (NoSuchFileException e) {
            throw FlagException.invalid("-config " + file + ": no such file");
        } catch (IOException e) {
            throw FlagException.invalid("-config " + file + ": cannot read it: " + e.getMessage());
        }
        return parse(file.toString(), text);
    }

    /** Parses text; {@code name} stands for the file in errors. */
    static Value parse(String name, String text) throws FlagException {
        LoadSettings settings = LoadSettings.builder().setLabel(name).setSchema(new CoreSchema())
                .setAllowRecursiveKeys(false).setMaxAliasesForCollections(64).setCodePointLimit(MAX_CODE_POINTS)
                .build();
        Optional<Node> root;
        try (Reader reader = new java.io.StringReader(text)) {
            root = new Compose(settings).composeReader(reader);
        } catch (MarkedYamlEngineException e) {
            String line = e.getProblemMark().or(e::getContextMark).map(m -> " (line " + (m.getLine() + 1) + ")")
                    .orElse("");
            throw FlagException.invalid(name + ": not valid YAML: " + e.getProblem() + line);
        } catch (YamlEngineException | IOException e) {
            throw FlagException.invalid(name + ": not valid YAML: " + e.getMessage());
        }
        return new Value(name, "", root.orElse(null));
    }

    /**
     * One node and where it is. A null node (an empty document) reads as an empty mapping.
     *
     * @param file the file, for errors
     * @param path the field path from the top ("" for the document)
     */
    record Value(String file, String path, Node node) {

        /** An error about this field. */
        FlagException error(String reason) {
            String line = node == null ? "" : node.getStartMark().map(Mark::getLine)
                    .map(l -> " (line " + (l + 1) + ")").orElse("");
            return FlagException.invalid(file + ": " + (path.isEmpty() ? "" : path + ": ") + reason + line);
        }

        /** YAML's null ({@code key:} with no value, {@code ~}, {@code null}): Go leaves the field unset. */
        boolean isNull() {
            return node == null || node instanceof ScalarNode && node.getTag().equals(Tag.NULL);
        }

        /**
         * The fields of a mapping whose keys must be among {@code keys}; null values are left out (unset).
         *
         * @throws FlagException for another kind of node, an unknown key or a key given twice
         */
        Map<String, Value> fields(Collection<String> keys) throws FlagException {
            Map<String, Value> fields = new LinkedHashMap<>();
            for (Map.Entry<String, Value> entry : entries().entrySet()) {
                if (!keys.contains(entry.getKey())) {
                    throw entry.getValue().error("unknown key (known here: " + String.join(", ", keys) + ")");
                }
                if (!entry.getValue().isNull()) {
                    fields.put(entry.getKey(), entry.getValue());
                }
            }
            return fields;
        }

        /** A mapping with free keys (text), in file order, nulls included. */
        Map<String, Value> entries() throws FlagException {
            if (node == null) {
                return Map.of();
            }
            if (!(node instanceof MappingNode mapping)) {
                throw error("not a mapping (key: value lines)");
            }
            Map<String, Value> entries = new LinkedHashMap<>();
            for (NodeTuple tuple : mapping.getValue()) {
                Value keyValue = new Value(file, path, tuple.getKeyNode());
                if (!(tuple.getKeyNode() instanceof ScalarNode key) || keyValue.isNull()) {
                    throw keyValue.error("a key that is not text");
                }
                String child = path.isEmpty() ? key.getValue() : path + "." + key.getValue();
                Value value = new Value(file, child, tuple.getValueNode());
                if (entries.put(key.getValue(), value) != null) {
                    throw value.error("key given twice");
                }
            }
            return entries;
        }

        /** The items of a sequence, as {@code path[i]}. */
        List<Value> items() throws FlagException {
            if (!(node instanceof SequenceNode sequence)) {
                throw error("not a list");
            }
            List<Value> items = new ArrayList<>();
            for (Node item : sequence.getValue()) {
                items.add(new Value(file, path + "[" + items.size() + "]", item));
            }
            return items;
        }

        /** Any scalar's text, as yaml.v3 fills a Go string ({@code user: 1000} is "1000"); null is "". */
        String text() throws FlagException {
            if (isNull()) {
                return "";
            }
            if (!(node instanceof ScalarNode scalar)) {
                throw error("not text");
            }
            return scalar.getValue();
        }

        /** A whole number in int range (decimal, 0x hex or 0o octal, as the core schema writes them). */
        int integer() throws FlagException {
            if (!(node instanceof ScalarNode scalar) || !node.getTag().equals(Tag.INT)) {
                throw error("not a number");
            }
            String digits = scalar.getValue().replace("_", "");
            boolean negative = digits.startsWith("-");
            if (digits.startsWith("-") || digits.startsWith("+")) {
                digits = digits.substring(1);
            }
            int radix = 10;
            if (digits.startsWith("0x")) {
                radix = 16;
                digits = digits.substring(2);
            } else if (digits.startsWith("0o")) {
                radix = 8;
                digits = digits.substring(2);
            }
            try {
                return Integer.parseInt((negative ? "-" : "") + digits, radix);
            } catch (NumberFormatException e) {
                throw error(scalar.getValue() + " is out of range");
            }
        }

        /** true or false (YAML 1.2: not yes/no/on/off). */
        boolean bool() throws FlagException {
            if (!(node instanceof ScalarNode scalar) || !node.getTag().equals(Tag.BOOL)) {
                throw error("not true or false");
            }
            return Boolean.parseBoolean(scalar.getValue().toLowerCase(java.util.Locale.ROOT));
        }
    }
}
