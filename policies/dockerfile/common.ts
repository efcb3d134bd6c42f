// Shared by the Dockerfile policies: run only on a Dockerfile that was read and resolved.
import type { Build, BuildOptions } from "../model/dockerfile";
import { Finding, notApplicable, RuleResult } from "../model/finding";
import type { ImageBuild } from "../pulumi/image-target";

export type DockerfileCheck<C> = (model: ImageBuild, build: Build, config: C, options: BuildOptions) => Finding[];

/** Wraps a check so unreadable or remote Dockerfiles become not-applicable, pointing at dockerfile-readable. */
export function onBuild<C>(check: DockerfileCheck<C>): (model: ImageBuild, config: C) => RuleResult {
    return (model, config) => {
        switch (model.loaded.kind) {
            case "remote":
                return notApplicable(`nothing local to read: ${model.loaded.reason}`);
            case "unreadable":
                return notApplicable(`the Dockerfile could not be read or resolved (${model.loaded.problem}); dockerfile-readable reports it`);
            default:
                return check(model, model.loaded.build, config, model.loaded.options);
        }
    };
}

/** RUN text with shell comments and continuation noise folded away, for command matching. */
export function commandText(text: string): string {
    return text.replace(/\\\r?\n/g, " ");
}

/** Words of a shell command, roughly (quotes stripped). */
export function words(text: string): string[] {
    return text.split(/[\s;&|()]+/).map((w) => w.replace(/^["']|["']$/g, "")).filter((w) => w.length > 0);
}
