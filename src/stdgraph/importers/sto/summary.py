"""The import summary as text (``stdgraph import sto`` prints it; ``--format json`` prints the
summary itself)."""

from __future__ import annotations

from stdgraph.importers.base import ImportResult


class StoImportResult(ImportResult):
    """An STO import's result: its text is the summary below."""

    def text(self) -> str:
        return summary_text(self.summary)


def summary_text(s: dict) -> str:
    src, st, fw, el = s["source"], s["standards"], s["frameworks"], s["elements"]
    cl, al, rel, dg = s["classifications"], s["alignments"], s["relations"], s["dangling"]
    types = s["source_types"]
    lines = [
        f"{s['status']} {s['graph']}: {s['triples']} triples from {src['file']} "
        f"({src['triples']} triples)",
    ]
    if src["licenses"] or src["rights"]:
        lines.append("  terms of the source: " + "; ".join(
            [f"dcterms:license {x}" for x in src["licenses"]] +
            [f"dcterms:rights \"{x}\"" for x in src["rights"]]))
    status = ", ".join(f"{k} {v}" for k, v in st["status"].items()) or "none"
    lines += [
        f"  standards:       {st['imported']} sg:Standard (sto:Standard {types['sto:Standard']}, "
        f"sto:TechnicalSpecification {types['sto:TechnicalSpecification']}, "
        f"sto:TechnicalReport {types['sto:TechnicalReport']}, "
        f"sto:StandardPart {types['sto:StandardPart']}; overlapping types counted once)",
        f"                   {st['with_publisher']} with a publisher, {st['without_publisher']} "
        f"without; status {status}, {st['without_status']} without; "
        f"{st['publication_dates']} publication dates; {st['linked_to_stdgraph']} linked to "
        "stdgraph's own standards",
        f"  publishers:      {s['publishers']['imported']} sg:StandardsBody "
        f"({len(s['publishers']['not_standard_organization'])} not typed "
        "sto:StandardOrganization in I40KG)",
        f"  frameworks:      {fw['imported']} sg:ReferenceArchitecture "
        f"(sto:StandardizationFramework {types['sto:StandardizationFramework']}, "
        f"sto:ArchitectureDescription {types['sto:ArchitectureDescription']}); "
        f"{len(fw['without_elements'])} without elements; {len(fw['linked_to_stdgraph'])} "
        "linked to stdgraph's own schemes",
        f"  elements:        {el['elements']} sg:ArchitectureElement from {el['with_framework']} "
        f"of {el['classifications']} classifications; {len(el['in_several_frameworks'])} in "
        f"several frameworks; {len(el['without_framework'])} without a framework; "
        f"{el['linked_to_stdgraph']} linked to stdgraph's own elements",
        f"  classifications: {cl['imported']} sg:classifiedIn from {cl['sto:hasClassification']} "
        f"sto:hasClassification ({cl['standards_classified']} standards classified; skipped: "
        f"{len(cl['skipped_subject_not_standard'])} on non-standards, "
        f"{len(cl['skipped_object_not_classification'])} to non-classifications)",
        f"  dangling IRIs:   {dg['classification_iris']} classification IRIs used but never "
        f"defined (+{dg['alignment_only_iris']} only in alignments): "
        f"{dg['resolved_by_letter_case']} resolved by letter case, {dg['unresolved']} in scheme "
        "'unresolved'",
    ]
    if dg["iris"]:
        lines.append("                   " + ", ".join(
            f"{e['iri']} ({e['sto:hasClassification uses']})" for e in dg["iris"]))
    lines += [
        "  alignments:      " + ", ".join(f"{k} {v}" for k, v in al["source"].items())
        + f" = {al['pairs']} pairs; {al['mappings']} skos:relatedMatch + sg:ArchitectureMapping, "
        f"{al['within_scheme']} skos:related within one framework, {len(al['skipped'])} "
        "skipped (endpoint not a classification)",
        "  relations:       " + ", ".join(f"{k} {v}" for k, v in rel["source"].items())
        + " -> " + ", ".join(f"{k} {v}" for k, v in rel["imported"].items())
        + f"; {len(rel['skipped'])} skipped (endpoint not a standard)",
        f"  self-links:      {len(rel['self_links'])} between standards, "
        f"{len(al['self_links'])} alignments (noted on the resource, not imported)",
        "  missing labels:  " + ", ".join(f"{k} {v}" for k, v in s["missing_labels"].items())
        + " (labels made from the IRI, with an editorial note)",
    ]
    if "shacl" in s:
        sh = s["shacl"]
        if "skipped" in sh:
            lines.append(f"  SHACL:           skipped ({sh['skipped']})")
        else:
            lines.append(f"  SHACL:           {sh['violations']} violation(s), {sh['warnings']} "
                         "warning(s) on the import graph alone")
            lines += [f"                   {n:>5}  {k}" for k, n in sh["by_shape"].items()]
    if "timings" in s:
        lines.append("  time:            " + ", ".join(f"{k} {v:.2f}s"
                                                      for k, v in s["timings"].items()))
    return "\n".join(lines)
