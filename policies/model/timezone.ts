// Time zones as the Go runtime resolves them, and where zoneinfo comes from in an image.
import { shipsTzdata } from "./base-images";
import { Build, Instruction, rootBase, Stage, stageChain } from "./dockerfile";

const UTC_NAMES = new Set(["", "UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Universal", "Universal", "Etc/Zulu", "Zulu", "GMT", "Etc/GMT", "Etc/GMT0", "Etc/GMT+0", "Etc/GMT-0", "GMT0", "Etc/Greenwich", "Greenwich"]);

let zones: Set<string> | undefined;

function knownZones(): Set<string> {
    zones ??= new Set(Intl.supportedValuesOf("timeZone"));
    return zones;
}

/** TZ as Go reads it: a leading ":" is ignored. */
export function zoneName(tz: string): string {
    return tz.startsWith(":") ? tz.slice(1) : tz;
}

/** A zone that means UTC (Go needs no zoneinfo for these, or falls back to UTC anyway). */
export function isUtc(tz: string): boolean {
    return UTC_NAMES.has(zoneName(tz));
}

/** Whether the name is an IANA zone Go can find in zoneinfo (case-sensitive, as file names are). */
export function isKnownZone(tz: string): boolean {
    const name = zoneName(tz);
    if (isUtc(name) || knownZones().has(name) || /^Etc\/GMT[+-](1[0-4]|[0-9])$/.test(name)) {
        return true;
    }
    if (!/^[A-Z][A-Za-z0-9_+-]*(\/[A-Z0-9][A-Za-z0-9_+-]*)*$/.test(name)) {
        return false;
    }
    try {
        // Zone files are looked up by exact name: "Europe/BERLIN" resolves to Europe/Berlin in ICU but is not found by Go.
        // Backward-compatible links (US/Pacific, Asia/Calcutta) that ICU resolves.
        const resolved = new Intl.DateTimeFormat("en", { timeZone: name }).resolvedOptions().timeZone;
        return !(resolved.toLowerCase() === name.toLowerCase() && resolved !== name);
    } catch {
        return false;
    }
}

const INSTALL = /\b(?:apk\s+(?:--[a-z-]+\s+)*add|apt-get\s+(?:-[a-zA-Z-]+\s+)*install|apt\s+(?:-[a-zA-Z-]+\s+)*install|yum\s+(?:-[a-zA-Z-]+\s+)*install|dnf\s+(?:-[a-zA-Z-]+\s+)*install|microdnf\s+(?:-[a-zA-Z-]+\s+)*install|zypper\s+(?:-[a-zA-Z-]+\s+)*(?:in|install))\b[^;&|\n]*?\btzdata\b/;
const REMOVE = /\b(?:apk\s+del|apt-get\s+(?:-[a-zA-Z-]+\s+)*(?:purge|remove|autoremove)|apt\s+(?:purge|remove)|yum\s+remove|dnf\s+remove|microdnf\s+remove)\b[^;&|\n]*?\btzdata\b/;
const TIMETZDATA = /-tags[=\s]+["']?[^\s"']*\btimetzdata\b/;

/** Position of a tzdata install in a RUN, or -1. */
export function tzdataInstallAt(text: string): number {
    const m = INSTALL.exec(text);
    return m ? m.index : -1;
}

export function tzdataRemovalAt(text: string): number {
    const m = REMOVE.exec(text);
    return m ? m.index : -1;
}

export function usesTimetzdata(text: string): boolean {
    return TIMETZDATA.test(text);
}

export interface ZoneinfoSource {
    /** "base", "install", "copy", "timetzdata", or "none". */
    readonly kind: "base" | "install" | "copy" | "timetzdata" | "none" | "unknown";
    readonly line?: number;
    /** A later removal of tzdata that undoes an install (and the base's copy). */
    readonly removedAt?: Instruction;
}

/**
 * Whether the final image has zoneinfo, and how: the base ships it, a stage of the final chain
 * installs or copies it, or a feeding go build embeds it with -tags timetzdata.
 */
export function zoneinfoInFinalImage(build: Build): ZoneinfoSource {
    const embedded = build.feeders.flatMap((s) => s.instructions).find((i) => i.keyword === "RUN" && /\bgo\s+(build|install)\b/.test(i.text) && usesTimetzdata(i.text));
    if (embedded) {
        return { kind: "timetzdata", line: embedded.line };
    }
    const chain = stageChain(build.final).reverse();
    let present: ZoneinfoSource = shipsTzdata(rootBase(build.final)) === "yes" ? { kind: "base" } : shipsTzdata(rootBase(build.final)) === "no" ? { kind: "none" } : { kind: "unknown" };
    for (const stage of chain) {
        for (const instruction of stage.instructions) {
            if (instruction.keyword === "RUN") {
                const install = tzdataInstallAt(instruction.text);
                const removal = tzdataRemovalAt(instruction.text);
                if (removal >= 0 && removal > install) {
                    present = { ...present, removedAt: instruction };
                } else if (install >= 0) {
                    present = { kind: "install", line: instruction.line };
                }
            } else if ((instruction.keyword === "COPY" || instruction.keyword === "ADD") && instruction.text.includes("/usr/share/zoneinfo")) {
                present = { kind: "copy", line: instruction.line };
            }
        }
    }
    return present;
}

/** Whether the stage has zoneinfo available at `line` (base, parent stage or an earlier install). */
export function zoneinfoBefore(stage: Stage, line: number): boolean {
    if (shipsTzdata(rootBase(stage)) === "yes") {
        return true;
    }
    for (const s of stageChain(stage)) {
        for (const i of s.instructions) {
            if ((s !== stage || i.line < line) && ((i.keyword === "RUN" && tzdataInstallAt(i.text) >= 0) || ((i.keyword === "COPY" || i.keyword === "ADD") && i.text.includes("/usr/share/zoneinfo")))) {
                return true;
            }
        }
    }
    return shipsTzdata(rootBase(stage)) === "unknown";
}
