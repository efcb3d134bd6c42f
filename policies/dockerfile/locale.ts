import { builtInLocales, describeBase, distroOf } from "../model/base-images";
import { Instruction, rootBase, Stage, stageChain } from "../model/dockerfile";
import { Finding } from "../model/finding";
import { defineRule } from "../pulumi/rule";
import { ImageBuild, imageBuildTarget } from "../pulumi/image-target";
import { onBuild } from "./common";

const LOCALE_VARIABLES = ["LANG", "LC_ALL"];
const LOCALE_GEN = /\blocale-gen\b/;

export default defineRule<ImageBuild, Record<string, never>>({
    name: "dockerfile-locale",
    displayName: "A locale selected in the image exists in the image",
    description:
        "LANG and LC_ALL name a locale that exists where they are set: C, POSIX and C.UTF-8 always do; any other locale on a " +
        "Debian or Ubuntu stage must be generated (localedef, locale-gen, /etc/locale.gen, locales-all) before the ENV that " +
        "selects it; distroless and scratch have none; locale-gen does not exist on Alpine or distroless.",
    severity: "low",
    remediationSteps:
        "Use LANG=C.UTF-8, which needs nothing. If the service really needs another locale, generate it before selecting " +
        "it: RUN apt-get install -y locales && localedef -i en_US -f UTF-8 en_US.UTF-8, then ENV LANG=en_US.UTF-8.",
    configSchema: { properties: {} },
    target: imageBuildTarget,
    check: onBuild<Record<string, never>>((model, build) => {
        const findings: Finding[] = [];
        for (const stage of build.feeders) {
            const locales = builtInLocales(rootBase(stage));
            for (const instruction of stage.instructions) {
                if (instruction.keyword === "RUN" && LOCALE_GEN.test(instruction.text) && (locales === "none" || locales === "any")) {
                    findings.push({
                        where: model.at(instruction.line),
                        what: `RUN calls locale-gen in ${stage.label}, built on ${describeBase(rootBase(stage))}`,
                        why: `${locales === "any" ? "Alpine (musl) has" : "distroless and scratch have"} no locale-gen, so the build fails with "not found"`,
                        fix: locales === "any" ? "drop it: musl accepts any UTF-8 locale name without generation" : "drop it and use LANG=C.UTF-8",
                    });
                }
            }
            for (const d of stage.definitions) {
                if (d.inherited || d.kind !== "ENV" || !LOCALE_VARIABLES.includes(d.name) || d.value === undefined || d.value === "") {
                    continue;
                }
                const locale = d.value;
                if (needsNothing(locale) || locales === "any" || locales === "unknown") {
                    continue;
                }
                const where = model.at(d.line);
                if (locales === "none") {
                    if (!copiesLocales(stage)) {
                        findings.push({
                            where,
                            what: `ENV ${d.name}=${locale} in ${stage.label}, but ${describeBase(rootBase(stage))} has no locale data at all`,
                            why: "programs that call setlocale fall back to the C locale silently; the variable promises something the image cannot do",
                            fix: "use C.UTF-8 or drop the variable (Go itself does not read it)",
                        });
                    }
                    continue;
                }
                const generated = generation(stage, locale);
                if (!generated) {
                    findings.push({
                        where,
                        what: `ENV ${d.name}=${locale} in ${stage.label}, but the locale is never generated (the base ships only C.UTF-8)`,
                        why: "programs that call setlocale silently fall back to C, and every RUN after this line warns that the locale cannot be set",
                        fix: `generate it first (RUN apt-get install -y locales && localedef -i ${language(locale)} -f UTF-8 ${locale}) or use LANG=C.UTF-8`,
                    });
                } else if (generated.stage === stage && generated.line > d.line) {
                    findings.push({
                        where,
                        what: `ENV ${d.name}=${locale} selects the locale before line ${generated.line} generates it`,
                        why: "every RUN between them runs with a missing locale (setlocale warnings, C fallback in tools and tests)",
                        fix: `move the ENV below line ${generated.line}`,
                    });
                }
            }
        }
        return findings;
    }),
});

/** C, POSIX and C.UTF-8 (in any codeset spelling) need no generated locale. */
function needsNothing(locale: string): boolean {
    const [base, codeset] = locale.split(".");
    if (base === "C" || base === "POSIX") {
        return codeset === undefined || normalizeCodeset(codeset) === "utf8";
    }
    return false;
}

function normalizeCodeset(codeset: string): string {
    return codeset.toLowerCase().replace(/[^a-z0-9]/g, "");
}

function language(locale: string): string {
    return locale.split(/[.@]/)[0];
}

/** The first instruction in the stage's chain that generates the locale (or installs all locales). */
function generation(stage: Stage, locale: string): { stage: Stage; line: number } | undefined {
    const lang = language(locale);
    const codeset = locale.includes(".") ? normalizeCodeset(locale.split(".")[1].split("@")[0]) : undefined;
    const mentions = (text: string) => {
        const pattern = new RegExp(`\\b${lang.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?:\\.([A-Za-z0-9-]+))?(?![A-Za-z0-9_@.-])`, "g");
        for (const m of text.matchAll(pattern)) {
            if (codeset === undefined ? m[1] === undefined : m[1] === undefined || normalizeCodeset(m[1]) === codeset) {
                return true;
            }
        }
        return false;
    };
    const namedLocaleGen = distroOf(rootBase(stage)) !== "debian";
    for (const s of stageChain(stage).reverse()) {
        for (const instruction of s.instructions) {
            if (instruction.keyword === "RUN" && generates(instruction, mentions, namedLocaleGen)) {
                return { stage: s, line: instruction.line };
            }
        }
    }
    return undefined;
}

function generates(instruction: Instruction, mentions: (text: string) => boolean, namedLocaleGen: boolean): boolean {
    const text = instruction.text;
    if (/\blocales-all\b/.test(text) && /\b(apt-get|apt)\s+(?:-[a-zA-Z-]+\s+)*install\b/.test(text)) {
        return true;
    }
    if (/\blocaledef\b/.test(text) && mentions(text)) {
        return true;
    }
    if (LOCALE_GEN.test(text)) {
        // /etc/locale.gen edited to enable the name, then locale-gen; or Ubuntu's `locale-gen <name>`
        // (Debian's locale-gen ignores names and builds only what /etc/locale.gen enables).
        return mentions(text) && (namedLocaleGen || /\/etc\/locale\.gen\b/.test(text));
    }
    return false;
}

function copiesLocales(stage: Stage): boolean {
    return stageChain(stage).some((s) => s.instructions.some((i) => (i.keyword === "COPY" || i.keyword === "ADD") && /\/usr\/lib\/locale\b/.test(i.text)));
}
