// @actions/workflow-parser's dist imports its schema JSON without an import attribute (it is
// meant for bundlers); Node 20 needs one. This registers a loader hook that adds it.
import { register } from "node:module";
register(new URL("./json-loader.mjs", import.meta.url));
