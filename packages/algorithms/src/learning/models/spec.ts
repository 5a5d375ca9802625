/*
 * Model specifications (issue 6, DESIGN.md `train` "model") and the flat parameter layout they
 * imply. Every model is a stack of dense layers: logistic regression is one dense layer with a
 * sigmoid head, softmax regression one dense layer with a softmax head, an MLP adds hidden
 * layers with ReLU or tanh and optional dropout. One flat vector per model, so that a federated
 * update is one vector for the strategies and for secure aggregation.
 *
 * Parameter layout, layer by layer from the input: the weights of layer l as a row-major
 * [inputs_l × outputs_l] block (input-major: entry (i, j) at weightOffset + i·outputs_l + j,
 * the weight from input unit i to output unit j), then its outputs_l biases. A sigmoid head has
 * one output unit (the logit of class 1); a softmax head has one per class.
 */

/** Hidden-layer activations. */
export const ACTIVATIONS = ['relu', 'tanh'] as const;
/** A hidden-layer activation. */
export type Activation = (typeof ACTIVATIONS)[number];

/** Output heads: sigmoid (binary, one logit) or softmax (K ≥ 2 logits). */
export type Head = 'sigmoid' | 'softmax';

/** What the caller asks for (DESIGN.md `train` "model", plus sizes known from the data). */
export type ModelSpec =
  | { readonly type: 'logistic'; readonly inputs: number }
  | { readonly type: 'softmax'; readonly inputs: number; readonly classes: number }
  | {
      readonly type: 'mlp';
      readonly inputs: number;
      readonly classes: number;
      /** Widths of the hidden layers, input side first; may be empty. */
      readonly hidden: readonly number[];
      /** Hidden activation; default relu. */
      readonly activation?: Activation;
      /** Probability of dropping a hidden unit at training time, in [0, 1); default 0. */
      readonly dropout?: number;
      /** Output head; default sigmoid for 2 classes, softmax otherwise. */
      readonly output?: Head;
    };

/** Where one dense layer lives in the flat parameter vector. */
export interface DenseLayout {
  readonly inputs: number;
  readonly outputs: number;
  /** Offset of weight (0, 0); weight (i, j) is at weightOffset + i·outputs + j. */
  readonly weightOffset: number;
  /** Offset of the first of `outputs` biases. */
  readonly biasOffset: number;
}

/** A validated specification in the form the kernels use. */
export interface Architecture {
  readonly inputs: number;
  readonly classes: number;
  readonly head: Head;
  readonly activation: Activation;
  readonly dropout: number;
  /** Dense layers, input side first; all but the last are followed by the activation. */
  readonly layers: readonly DenseLayout[];
  readonly parameterCount: number;
}

function checkCount(value: number, what: string, min: number): void {
  if (!Number.isSafeInteger(value) || value < min)
    throw new RangeError(`model ${what} is ${value}, expected an integer ≥ ${min}`);
}

/**
 * Validates a specification and lays out its parameters.
 * @throws RangeError naming the field when a size is not a positive integer, a model has fewer
 *   than 2 classes, dropout is outside [0, 1), or a sigmoid head is asked for with ≠ 2 classes.
 */
export function architecture(spec: ModelSpec): Architecture {
  checkCount(spec.inputs, 'inputs', 1);
  const classes = spec.type === 'logistic' ? 2 : spec.classes;
  checkCount(classes, 'classes', 2);
  const hidden = spec.type === 'mlp' ? spec.hidden : [];
  hidden.forEach((w, i) => {
    checkCount(w, `hidden[${i}]`, 1);
  });
  const dropout = spec.type === 'mlp' ? (spec.dropout ?? 0) : 0;
  if (!(dropout >= 0 && dropout < 1))
    throw new RangeError(`model dropout is ${dropout}, expected a probability in [0, 1)`);
  const head: Head =
    spec.type === 'logistic'
      ? 'sigmoid'
      : spec.type === 'softmax'
        ? 'softmax'
        : (spec.output ?? (classes === 2 ? 'sigmoid' : 'softmax'));
  if (head === 'sigmoid' && classes !== 2)
    throw new RangeError(`model output sigmoid needs 2 classes, got ${classes}`);
  const activation = spec.type === 'mlp' ? (spec.activation ?? 'relu') : 'relu';
  if (!ACTIVATIONS.includes(activation))
    throw new RangeError(`model activation is ${activation as string}, expected relu or tanh`);
  const widths = [spec.inputs, ...hidden, head === 'sigmoid' ? 1 : classes];
  const layers: DenseLayout[] = [];
  let offset = 0;
  for (let l = 0; l + 1 < widths.length; l++) {
    const inputs = widths[l] as number;
    const outputs = widths[l + 1] as number;
    layers.push({ inputs, outputs, weightOffset: offset, biasOffset: offset + inputs * outputs });
    offset += inputs * outputs + outputs;
  }
  return {
    inputs: spec.inputs,
    classes,
    head,
    activation,
    dropout,
    layers,
    parameterCount: offset,
  };
}
