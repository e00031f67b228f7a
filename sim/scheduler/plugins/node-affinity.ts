import type { MatchExpression, NodeSelectorTerm } from '../gang.ts';
import type { FilterPlugin } from '../framework.ts';

/** Kubernetes required node affinity: any term may match; every expression of a term must. */
export const nodeAffinityFilter: FilterPlugin = {
  name: 'NodeAffinity',
  compile(pod) {
    const terms = pod.constraints?.nodeAffinity;
    if (terms === undefined || terms.length === 0) return null;
    return (node) =>
      terms.some((term) => termMatches(term, node.labels)) ? null : "didn't match the workload's node affinity";
  },
};

export function termMatches(term: NodeSelectorTerm, labels: Readonly<Record<string, string>>): boolean {
  // An empty term matches nothing, as in Kubernetes.
  return term.matchExpressions.length > 0 && term.matchExpressions.every((e) => expressionMatches(e, labels));
}

export function expressionMatches(expression: MatchExpression, labels: Readonly<Record<string, string>>): boolean {
  const value = Object.hasOwn(labels, expression.key) ? labels[expression.key] : undefined;
  const values = expression.values ?? [];
  switch (expression.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      // Both sides must be integers; anything else does not match (Kubernetes semantics).
      const bound = values.length === 1 ? parseInteger(values[0]!) : undefined;
      const actual = value === undefined ? undefined : parseInteger(value);
      if (bound === undefined || actual === undefined) return false;
      return expression.operator === 'Gt' ? actual > bound : actual < bound;
    }
  }
}

function parseInteger(text: string): number | undefined {
  return /^-?\d+$/.test(text.trim()) ? Number(text) : undefined;
}
