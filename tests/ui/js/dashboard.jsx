// The test page for the shipped Dashboard Studio views: Splunk's own validator and renderer (tests/ui).
// window.__DEFINITION__ (set by the page, from the view's XML) is rendered with DashboardCore and the Enterprise
// view-only preset, whose ds.search drives the search-job REST API of the Splunk Web stand-in.
// window.validateDefinition(def) runs @splunk/dashboard-validation with the preset's schema.
import React from 'react';
import { createRoot } from 'react-dom/client';
import DashboardCore from '@splunk/dashboard-core';
import { DashboardContextProvider } from '@splunk/dashboard-context';
import EnterpriseViewOnlyPreset from '@splunk/dashboard-presets/EnterpriseViewOnlyPreset';
import SplunkThemeProvider from '@splunk/themes/SplunkThemeProvider';
import { DashboardValidator } from '@splunk/dashboard-validation';
import { createSchemaBasedOnPresets } from '@splunk/dashboard-definition';

window.validateDefinition = (definition) => {
    const validator = new DashboardValidator();
    const problem = validator.setSchema(createSchemaBasedOnPresets(EnterpriseViewOnlyPreset));
    if (problem) {
        throw problem;
    }
    return JSON.parse(JSON.stringify(validator.validate(definition) || []));
};

const definition = window.__DEFINITION__;
if (definition) {
    createRoot(document.getElementById('root')).render(
        <SplunkThemeProvider family="enterprise" colorScheme="light">
            <DashboardContextProvider preset={EnterpriseViewOnlyPreset} initialDefinition={definition}>
                <DashboardCore width="100%" height="100%" />
            </DashboardContextProvider>
        </SplunkThemeProvider>
    );
}
window.__DASHBOARD_PAGE_READY__ = true;
