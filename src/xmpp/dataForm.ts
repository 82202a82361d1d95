import xml, { type Element } from "@xmpp/xml";
import type { FormSpec } from "../core/adapter.ts";
import { GatewayError } from "../core/errors.ts";
import { NS } from "./namespaces.ts";

/** Renders a form spec as an XEP-0004 data form with the given FORM_TYPE. */
export function renderForm(spec: FormSpec, formType: string, values: Record<string, string> = {}): Element {
  const form = xml("x", { xmlns: NS.dataForms, type: "form" }, xml("title", {}, spec.title), xml("instructions", {}, spec.instructions));
  form.append(xml("field", { type: "hidden", var: "FORM_TYPE" }, xml("value", {}, formType)));
  for (const field of spec.fields) {
    const el = xml("field", { type: field.type, var: field.var, label: field.label });
    if (field.desc) el.append(xml("desc", {}, field.desc));
    if (field.required) el.append(xml("required"));
    const value = values[field.var] ?? field.value;
    if (value !== undefined) el.append(xml("value", {}, value));
    for (const option of field.options ?? []) {
      el.append(xml("option", { label: option.label }, xml("value", {}, option.value)));
    }
    form.append(el);
  }
  return form;
}

/** Reads a submitted XEP-0004 form into var → value (first value of each field). */
export function readSubmittedForm(x: Element, formType: string): Record<string, string> {
  const type = x.attrs.type;
  if (type !== "submit") throw new GatewayError("bad-request", `Expected a submitted data form, got type '${type ?? ""}'.`);
  const fields: Record<string, string> = {};
  for (const field of x.getChildren("field")) {
    const name = field.attrs.var;
    if (!name) continue;
    fields[name] = field.getChildText("value")?.trim() ?? "";
  }
  if (fields.FORM_TYPE !== undefined && fields.FORM_TYPE !== formType) {
    throw new GatewayError("bad-request", `Unexpected FORM_TYPE '${fields.FORM_TYPE}'.`);
  }
  delete fields.FORM_TYPE;
  return fields;
}
