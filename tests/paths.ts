export { PACK_DIR, sourcePath } from "../scripts/lib/paths";
