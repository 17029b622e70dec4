import type { Catalog } from '@polymux/catalog';
import { loadCatalog } from '@polymux/catalog';
import { ClassifierService, LanguageModel, TaskModel } from '@polymux/classifier';
import type { Classification, ClassifyRequest, Intake, RoutingPolicy } from '@polymux/contracts';
import { maxCallCost } from '@polymux/contracts';
import type { Routed } from '@polymux/router';
import { NO_HEALTH, Routing } from '@polymux/router';

import { SHIPPED_CATALOG } from './catalog';

/** What classifies a request: the classifier service's `classify`, as its handler calls it. */
export interface Classifier {
  classify(request: ClassifyRequest): Classification;
}

/** The real classifier (the committed task model and the language identifier) and the shipped catalog. */
export interface RoutingSubjects {
  catalog: Catalog;
  classifier: Classifier;
}

/**
 * The shipped catalog with its variables fixed, so the machine's environment (a real provider's
 * base URL, `AWS_REGION`) does not change what is measured: every deployment at the simulator.
 */
const CATALOG_VARIABLES = { PROVIDER_SIM_URL: 'http://provider-sim.invalid' };

export const loadRoutingSubjects = (): RoutingSubjects => ({
  catalog: loadCatalog(SHIPPED_CATALOG, CATALOG_VARIABLES),
  classifier: new ClassifierService(TaskModel.load(), LanguageModel.load()),
});

/**
 * What the router computes for a plan besides its round trips (classification, the health
 * snapshot, the reservation): the eligible deployments, the hold's amount over them, and the
 * order of the candidates for the classified task, by the router's own `Routing` over one catalog
 * (a new one per plan, as `RouterService` makes it), every deployment healthy.
 */
export const decide = (
  catalog: Catalog,
  intake: Intake,
  policy: RoutingPolicy,
  classification: Classification,
  requestId = 'bench',
): { routed: Routed; reservationNano: bigint } => {
  const eligible = new Routing(catalog, NO_HEALTH).eligible({ intake, allowedModels: null, policy, requestId });
  const reservationNano = maxCallCost(eligible.bound, intake);
  const routed = eligible.route(
    classification.task,
    classification.complexity ?? intake.signals.complexity,
    undefined,
    classification.inputTokens,
  );
  return { routed, reservationNano };
};
